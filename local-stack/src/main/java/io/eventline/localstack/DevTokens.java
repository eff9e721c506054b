package io.eventline.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import io.eventline.changerecord.Audience;
import io.eventline.devtokens.DevTokenMinter;

/**
 * The development-only key pair (see {@code dev-jwt/README.md}) and tokens signed with it by the one
 * {@link DevTokenMinter}, for {@code ./eventline token}, the demo personas, bench and the tests. Never used
 * by a production profile.
 */
public final class DevTokens {

    public static final String ISSUER = "https://eventline.local/dev-issuer";
    /**
     * The audience every Eventline service expects in dev and test: each names it in its own
     * {@code mp.jwt.verify.audiences}, so it is not handed over here (a service that forgot it would not be seen).
     */
    public static final String AUDIENCE = "eventline";
    public static final Set<String> ROLES = Audience.ROLES;

    private static DevTokenMinter minter;
    private static Path publicKeyFile;
    private static Path privateKeyFile;

    private DevTokens() {
    }

    /** A token for {@code sub} in {@code role}, valid for {@code ttl} (see {@link DevTokenMinter#mint}). */
    public static String mint(String sub, String role, String name, Duration ttl) {
        return minter().mint(sub, role, name, ttl);
    }

    /** Signs arbitrary claims with the dev key: for tests that need odd tokens (see {@link DevTokenMinter#sign}). */
    public static String sign(Map<String, Object> claims) {
        return minter().sign(claims);
    }

    /** The minter with the dev key, issuer and audience. */
    public static synchronized DevTokenMinter minter() {
        if (minter == null) {
            try {
                minter = DevTokenMinter.fromPem(resource("private-key-DEV-ONLY.pem"), ISSUER, AUDIENCE);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot read the dev signing key", e);
            }
        }
        return minter;
    }

    /** The smallrye-jwt settings that make a service accept dev tokens. */
    public static Map<String, String> verificationConfig() {
        return Map.of(
                "mp.jwt.verify.publickey.location", publicKeyFile().toUri().toString(),
                "mp.jwt.verify.issuer", ISSUER);
    }

    /** The dev public key as a file (services launched as processes cannot read our classpath). */
    public static synchronized Path publicKeyFile() {
        if (publicKeyFile == null || !Files.exists(publicKeyFile)) {
            try {
                Path file = Files.createTempFile("eventline-dev-jwt-", ".pem");
                Files.writeString(file, resource("public-key-DEV-ONLY.pem"));
                file.toFile().deleteOnExit();
                publicKeyFile = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return publicKeyFile;
    }

    /**
     * The dev private key as a file, for the gateway's development sign-in ({@code POST /dev/token} in
     * the dev profile). Only local runs get it; it is never packaged into a service.
     */
    public static synchronized Path privateKeyFile() {
        if (privateKeyFile == null || !Files.exists(privateKeyFile)) {
            try {
                Path file = Files.createTempFile("eventline-dev-jwt-signing-", ".pem");
                Files.writeString(file, resource("private-key-DEV-ONLY.pem"));
                file.toFile().deleteOnExit();
                privateKeyFile = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return privateKeyFile;
    }

    private static String resource(String name) {
        try (InputStream in = DevTokens.class.getResourceAsStream("/dev-jwt/" + name)) {
            if (in == null) {
                throw new IllegalStateException("dev-jwt/" + name + " is missing from local-stack");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
