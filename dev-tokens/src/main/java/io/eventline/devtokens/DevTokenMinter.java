package io.eventline.devtokens;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import io.eventline.changerecord.Audience;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

/**
 * The one minter of development tokens: RS256 JWTs with header {@code {"alg":"RS256","typ":"JWT"}} (no
 * {@code kid}) and the claims {@code iss}, {@code aud} (one string), {@code sub}, {@code groups} (the one
 * role), {@code name}, {@code iat}, {@code exp} and {@code jti}, which the services verify like an
 * identity provider's.
 *
 * <p>It holds no key: local-stack hands over its development-only key ({@code DevTokens}), the gateway's
 * dev-profile sign-in the key file it was given. Never used by a production profile.
 */
public final class DevTokenMinter {

    private final PrivateKey key;
    private final String issuer;
    private final String audience;

    public DevTokenMinter(PrivateKey key, String issuer, String audience) {
        this.key = Objects.requireNonNull(key, "key");
        this.issuer = requireText(issuer, "issuer");
        this.audience = requireText(audience, "audience");
    }

    /** A minter signing with the PKCS#8 RSA private key in {@code pem} (a {@code -----BEGIN PRIVATE KEY-----} block). */
    public static DevTokenMinter fromPem(String pem, String issuer, String audience) throws GeneralSecurityException {
        PrivateKey key = KeyUtils.decodePrivateKey(Objects.requireNonNull(pem, "pem"), SignatureAlgorithm.RS256);
        if (key == null) {
            throw new GeneralSecurityException("not a PEM-encoded RSA private key");
        }
        return new DevTokenMinter(key, issuer, audience);
    }

    public String issuer() {
        return issuer;
    }

    public String audience() {
        return audience;
    }

    /**
     * A token for {@code sub} in {@code role} ({@link Audience#ROLES}), named {@code name} (or {@code sub}
     * when null or blank), valid for {@code ttl} from now.
     */
    public String mint(String sub, String role, String name, Duration ttl) {
        if (sub == null || sub.isBlank()) {
            throw new IllegalArgumentException("sub must not be blank");
        }
        if (!Audience.ROLES.contains(role)) {
            throw new IllegalArgumentException("role must be one of " + Audience.ROLES + ", not '" + role + "'");
        }
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, not " + ttl);
        }
        long now = Instant.now().getEpochSecond();
        return Jwt.issuer(issuer).audience(audience).subject(sub).groups(Set.of(role))
                .claim("name", name == null || name.isBlank() ? sub : name)
                .issuedAt(now).expiresAt(now + ttl.toSeconds()).claim("jti", UUID.randomUUID().toString())
                .jws().algorithm(SignatureAlgorithm.RS256).type("JWT").sign(key);
    }

    /**
     * Signs exactly these claims with the key, for tests that need odd tokens (expired, another issuer or
     * audience, no {@code sub}): nothing is checked, and {@code iss}/{@code aud} are not added. Arrays
     * become JSON arrays. Like any smallrye-jwt-build token, one without {@code iat}, {@code exp} or
     * {@code jti} gets them (now, now + 5 min, a random id).
     */
    public String sign(Map<String, Object> claims) {
        Map<String, Object> values = new LinkedHashMap<>();
        claims.forEach((name, value) -> values.put(name, value instanceof Object[] array ? Arrays.asList(array) : value));
        return Jwt.claims(values).jws().algorithm(SignatureAlgorithm.RS256).type("JWT").sign(key);
    }

    private static String requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }
}
