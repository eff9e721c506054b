package io.eventline.changerecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The committed development key ({@code local-stack/src/main/resources/dev-jwt/public-key-DEV-ONLY.pem},
 * whose private half is in the repository too) must never verify tokens in production: anyone
 * can mint an admin token with it. The services and the gateway call {@link #refuseUnderProd} at
 * start; it compares the SHA-256 fingerprint of the configured key's DER, so a copy of the file
 * under another name or path is caught as well.
 */
public final class DevKey {

    /** SHA-256 of the DER (SubjectPublicKeyInfo) of the committed development public key. */
    public static final String FINGERPRINT = "0fba5107dacb4ea1d49efca7739917df8668750478fe56b939512f4dc40870c4";

    /** The opt-in that lets a prod profile run with the development key anyway (docker-compose, the dev overlay). */
    public static final String OPT_IN = "EVENTLINE_ALLOW_DEV_KEY";

    private static final Pattern PEM = Pattern.compile("-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");

    private DevKey() {
    }

    /**
     * The start checks of the prod profile, shared by the services' and the gateway's guards:
     * an expected token audience must be configured, and the development key is refused as in
     * {@link #refuseUnderProd}. Throws {@link IllegalStateException} naming what is wrong.
     */
    public static void checkProdStart(boolean prod, Optional<String> audiences, Optional<String> key,
            Optional<String> location, boolean allowed) {
        if (prod && audiences.filter(a -> !a.isBlank()).isEmpty()) {
            throw new IllegalStateException("the prod profile needs the token audience: set EVENTLINE_JWT_AUDIENCE");
        }
        refuseUnderProd(prod, key, location, allowed);
    }

    /**
     * Throws {@link IllegalStateException} when the prod profile would verify tokens with the
     * development key (given inline as {@code key} or by {@code location}, as smallrye-jwt reads
     * them) and {@code allowed} is false. An {@code http(s):} location (an identity provider's JWKS)
     * is not fetched here: it is not the committed file.
     */
    public static void refuseUnderProd(boolean prod, Optional<String> key, Optional<String> location, boolean allowed) {
        if (!prod || allowed) {
            return;
        }
        String text = key.filter(k -> !k.isBlank()).orElseGet(() -> location.map(DevKey::read).orElse(null));
        if (text != null && isDevKey(text)) {
            throw new IllegalStateException("the prod profile refuses to start with the committed DEVELOPMENT public key ("
                    + location.orElse("mp.jwt.verify.publickey") + ", SHA-256 " + FINGERPRINT + "): anyone can sign tokens "
                    + "for it. Configure your identity provider's key (EVENTLINE_JWT_PUBLIC_KEY_LOCATION), or set "
                    + OPT_IN + "=true for a local demo only.");
        }
    }

    /** Whether this PEM text (or bare base64 DER) is the development public key. */
    public static boolean isDevKey(String text) {
        Matcher pem = PEM.matcher(text);
        String base64 = pem.find() ? pem.group(1) : text;
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(base64.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            return false; // a JWK or JWKS document: not the committed PEM
        }
        return FINGERPRINT.equals(fingerprint(der));
    }

    public static String fingerprint(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key text at a smallrye-jwt location: {@code file:}, {@code classpath:}, or a bare classpath resource or path. */
    private static String read(String location) {
        try {
            if (location.startsWith("http:") || location.startsWith("https:")) {
                return null;
            }
            if (location.startsWith("file:")) {
                return Files.readString(Path.of(URI.create(location)), StandardCharsets.UTF_8);
            }
            String resource = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            try (InputStream in = (loader == null ? DevKey.class.getClassLoader() : loader)
                    .getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
                if (in != null) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            Path path = Path.of(resource);
            return Files.isReadable(path) ? Files.readString(path, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the JWT public key at " + location, e);
        }
    }
}
