package io.eventline.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Mints RS256 JWTs with the development-only key pair (see {@code dev-jwt/README.md}), for
 * {@code ./eventline token}, the demo personas and the tests. Never used by a production profile.
 */
public final class DevTokens {

    public static final String ISSUER = "https://eventline.local/dev-issuer";
    /**
     * The audience every Eventline service expects in dev and test: each names it in its own
     * {@code mp.jwt.verify.audiences}, so it is not handed over here (a service that forgot it would not be seen).
     */
    public static final String AUDIENCE = "eventline";
    public static final Set<String> ROLES = Set.of("partner", "admin", "user");

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static Path publicKeyFile;
    private static Path privateKeyFile;

    private DevTokens() {
    }

    /** A token for {@code sub} in {@code role}, valid for {@code ttl}. */
    public static String mint(String sub, String role, String name, Duration ttl) {
        if (sub == null || sub.isBlank()) {
            throw new IllegalArgumentException("sub must not be blank");
        }
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("role must be one of " + ROLES + ", not '" + role + "'");
        }
        Instant now = Instant.now();
        return sign(Map.of("iss", ISSUER, "aud", AUDIENCE, "sub", sub, "groups", new String[] { role }, "name",
                name == null ? sub : name, "iat", now.getEpochSecond(), "exp", now.plus(ttl).getEpochSecond(),
                "jti", UUID.randomUUID().toString()));
    }

    /** Signs arbitrary claims with the dev key: for tests that need odd tokens (expired, wrong issuer). */
    public static String sign(Map<String, Object> claims) {
        String header = B64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = B64.encodeToString(Json.write(claims).getBytes(StandardCharsets.UTF_8));
        String signingInput = header + "." + payload;
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(privateKey());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a dev token", e);
        }
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

    private static PrivateKey privateKey() throws GeneralSecurityException {
        String pem = resource("private-key-DEV-ONLY.pem")
                .replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
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
