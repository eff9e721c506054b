package io.eventline.systemtests.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.eventline.localstack.DevTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Tokens that must never be accepted, each carrying the claims of a real persona (its {@code sub},
 * its role, the right issuer), so that a service that accepted one would answer as that persona
 * and the matrix would show it:
 * <ul>
 * <li>{@link #expired}: signed with the real dev key, {@code exp} an hour ago (well past any clock skew);</li>
 * <li>{@link #wrongKey}: RS256, signed with an RSA key pair generated here, not the configured one;</li>
 * <li>{@link #algNone}: header {@code {"alg":"none"}}, empty signature;</li>
 * <li>{@link #hs256WithPublicKey}: the key-confusion attack, HS256 with the bytes of the dev public key
 * file (which anyone may have) as the HMAC secret;</li>
 * <li>{@link #otherAudience}: the real dev key and issuer, minted for another application ({@code aud});</li>
 * <li>{@link #withGroups}: the real dev key, issuer and audience, with groups that name no single
 * Eventline role ({@code []}, {@code ["admin","user"]}, {@code ["superadmin"]});</li>
 * <li>{@link #noSub}: the real dev key, issuer, audience and the persona's role, but no {@code sub}.</li>
 * </ul>
 */
final class ForgedTokens {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static KeyPair otherKey;

    private ForgedTokens() {
    }

    /** The claims a token of this persona carries, issued and expiring at the given times. */
    private static JsonObject claims(String sub, String role, Instant issuedAt, Instant expires) {
        return new JsonObject().put("iss", DevTokens.ISSUER).put("aud", DevTokens.AUDIENCE).put("sub", sub)
                .put("groups", new JsonArray().add(role))
                .put("name", sub).put("iat", issuedAt.getEpochSecond()).put("exp", expires.getEpochSecond())
                .put("jti", UUID.randomUUID().toString());
    }

    private static JsonObject valid(String sub, String role) {
        Instant now = Instant.now();
        return claims(sub, role, now, now.plus(Duration.ofHours(1)));
    }

    /** Signed with the real dev key, but expired an hour ago. */
    static String expired(String sub, String role) {
        Instant now = Instant.now();
        return DevTokens.sign(Map.of("iss", DevTokens.ISSUER, "aud", DevTokens.AUDIENCE, "sub", sub, "groups",
                new String[] { role }, "name", sub,
                "iat", now.minus(Duration.ofHours(2)).getEpochSecond(), "exp", now.minus(Duration.ofHours(1)).getEpochSecond(),
                "jti", UUID.randomUUID().toString()));
    }

    /** RS256 with the right claims and issuer, signed by a key pair the services have never seen. */
    static String wrongKey(String sub, String role) {
        String signingInput = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + b64(valid(sub, role).encode());
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(otherKey().getPrivate());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token: {@code alg: none} and an empty signature. */
    static String algNone(String sub, String role) {
        return b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(valid(sub, role).encode()) + ".";
    }

    /**
     * HS256, with the dev public key file's bytes (the PEM text, public by nature) as the HMAC
     * secret: accepted by a verifier that lets the token's header choose the algorithm.
     */
    static String hs256WithPublicKey(String sub, String role) {
        String signingInput = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + b64(valid(sub, role).encode());
        try {
            byte[] secret = Files.readAllBytes(DevTokens.publicKeyFile());
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The real dev key and issuer, for another application of the same identity provider. */
    static String otherAudience(String sub, String role) {
        return devSigned(valid(sub, role).put("aud", "another-application"));
    }

    /** The real dev key, issuer and audience, with exactly these groups in place of the persona's role. */
    static String withGroups(String sub, String... groups) {
        return devSigned(valid(sub, "user").put("groups", new JsonArray(List.of((Object[]) groups))));
    }

    /** Everything right (key, issuer, audience, the persona's role) but no {@code sub}. */
    static String noSub(String sub, String role) {
        JsonObject claims = valid(sub, role);
        claims.remove("sub");
        return devSigned(claims);
    }

    /** Signed with the real dev key ({@link DevTokens#sign} writes arrays, not JsonArrays). */
    private static String devSigned(JsonObject claims) {
        Map<String, Object> plain = new java.util.LinkedHashMap<>();
        claims.forEach(e -> plain.put(e.getKey(), e.getValue() instanceof JsonArray a ? a.getList().toArray() : e.getValue()));
        return DevTokens.sign(plain);
    }

    private static synchronized KeyPair otherKey() throws GeneralSecurityException {
        if (otherKey == null) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            otherKey = generator.generateKeyPair();
        }
        return otherKey;
    }

    private static String b64(String s) {
        return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
