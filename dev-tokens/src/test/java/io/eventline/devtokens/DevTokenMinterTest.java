package io.eventline.devtokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.jwt.consumer.JwtContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The minter's tokens, checked by jose4j's {@link JwtConsumer} (a verifier of its own, not
 * smallrye-jwt-build's code): signature, algorithm, issuer, audience, expiry and the exact claims.
 */
class DevTokenMinterTest {

    private static final String ISSUER = "https://eventline.local/dev-issuer";
    private static final String AUDIENCE = "eventline";

    private static KeyPair keys;
    private static DevTokenMinter minter;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        minter = DevTokenMinter.fromPem(pem, ISSUER, AUDIENCE);
    }

    private static JwtConsumer verifier(PublicKey key, String audience) {
        return new JwtConsumerBuilder().setVerificationKey(key)
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
                .setExpectedIssuer(ISSUER).setExpectedAudience(audience).setRequireExpirationTime().setRequireIssuedAt()
                .setRequireSubject().setRequireJwtId().setAllowedClockSkewInSeconds(0).build();
    }

    @Test
    void aMintedTokenVerifiesWithItsIssuerAudienceAndExpiry() throws Exception {
        long before = Instant.now().getEpochSecond();
        String token = minter.mint("alice", "partner", "Alice", Duration.ofMinutes(5));
        long after = Instant.now().getEpochSecond();

        JwtContext verified = verifier(keys.getPublic(), AUDIENCE).process(token);
        JwtClaims claims = verified.getJwtClaims();
        assertThat(claims.getClaimNames()).containsExactlyInAnyOrder("iss", "aud", "sub", "groups", "name", "iat", "exp", "jti");
        assertThat(claims.getIssuer()).isEqualTo(ISSUER);
        assertThat(claims.getClaimValue("aud")).as("aud is one string, as before").isEqualTo(AUDIENCE);
        assertThat(claims.getSubject()).isEqualTo("alice");
        assertThat(claims.getStringListClaimValue("groups")).containsExactly("partner");
        assertThat(claims.getStringClaimValue("name")).isEqualTo("Alice");
        long iat = claims.getIssuedAt().getValue();
        assertThat(iat).isBetween(before, after);
        assertThat(claims.getExpirationTime().getValue()).isEqualTo(iat + 300);
        assertThat(claims.getJwtId()).hasSize(36);

        var header = verified.getJoseObjects().get(0);
        assertThat(header.getAlgorithmHeaderValue()).isEqualTo("RS256");
        assertThat(header.getHeader("typ")).isEqualTo("JWT");
        assertThat(header.getKeyIdHeaderValue()).as("no kid").isNull();
    }

    @Test
    void theNameDefaultsToTheSubAndEachTokenHasItsOwnId() throws Exception {
        JwtClaims one = verifier(keys.getPublic(), AUDIENCE).processToClaims(minter.mint("uma", "user", null, Duration.ofMinutes(1)));
        JwtClaims two = verifier(keys.getPublic(), AUDIENCE).processToClaims(minter.mint("uma", "user", " ", Duration.ofMinutes(1)));
        assertThat(one.getStringClaimValue("name")).isEqualTo("uma");
        assertThat(two.getStringClaimValue("name")).isEqualTo("uma");
        assertThat(one.getJwtId()).isNotEqualTo(two.getJwtId());
    }

    @Test
    void aVerifierOfAnotherAudienceOrKeyRefusesIt() throws Exception {
        String token = minter.mint("ada", "admin", "Ada", Duration.ofMinutes(5));
        assertThatThrownBy(() -> verifier(keys.getPublic(), "another-application").process(token))
                .isInstanceOf(InvalidJwtException.class).hasMessageContaining("Audience");
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        PublicKey other = generator.generateKeyPair().getPublic();
        assertThatThrownBy(() -> verifier(other, AUDIENCE).process(token)).isInstanceOf(InvalidJwtException.class);
    }

    @Test
    void anExpiredTokenIsRefused() {
        long now = Instant.now().getEpochSecond();
        String expired = minter.sign(Map.of("iss", ISSUER, "aud", AUDIENCE, "sub", "p", "groups", new String[] { "partner" },
                "iat", now - 7200, "exp", now - 3600, "jti", "x"));
        assertThatThrownBy(() -> verifier(keys.getPublic(), AUDIENCE).process(expired)).isInstanceOfSatisfying(
                InvalidJwtException.class, e -> assertThat(e.hasExpired()).as(e.getMessage()).isTrue());
    }

    @Test
    void signWritesExactlyTheGivenClaimsWithArraysAsJsonArrays() throws Exception {
        long now = Instant.now().getEpochSecond();
        String token = minter.sign(Map.of("iss", "https://evil.example", "sub", "p", "groups", new String[] { "admin", "user" },
                "iat", now, "exp", now + 600));
        JwtClaims claims = new JwtConsumerBuilder().setVerificationKey(keys.getPublic()).setSkipDefaultAudienceValidation()
                .build().processToClaims(token);
        assertThat(claims.getIssuer()).isEqualTo("https://evil.example");
        assertThat(claims.hasAudience()).isFalse();
        assertThat(claims.getStringListClaimValue("groups")).isEqualTo(List.of("admin", "user"));
        assertThat(claims.getExpirationTime().getValue()).isEqualTo(now + 600);
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> minter.mint(" ", "user", null, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sub");
        assertThatThrownBy(() -> minter.mint("x", "root", null, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("role");
        assertThatThrownBy(() -> minter.mint("x", "user", null, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ttl");
        assertThatThrownBy(() -> new DevTokenMinter(keys.getPrivate(), ISSUER, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DevTokenMinter.fromPem("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
                ISSUER, AUDIENCE)).isInstanceOf(GeneralSecurityException.class);
    }
}
