package io.eventline.gateway.dev;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.eventline.localstack.DevTokens;
import io.smallrye.jwt.util.KeyUtils;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * {@code POST /dev/token} on its own router with local-stack's dev key: the token it mints is the one the
 * services verify (issuer, audience, claims, expiry), and bad requests are 400 problems naming the field.
 * {@code DevSignInIT} checks the same routes on the packaged gateway in the dev profile.
 */
class DevSignInTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static Vertx vertx;
    private static String base;

    @BeforeAll
    static void serve() throws Exception {
        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        new DevSignIn().routes(router, DevTokens.minter());
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPersonaGetsATokenThatVerifiesWithTheDevPublicKey() throws Exception {
        long before = Instant.now().getEpochSecond();
        HttpResponse<String> minted = post("{\"sub\":\"pat\",\"role\":\"partner\",\"name\":\"Pat Partner\",\"ttlSeconds\":60}");
        assertThat(minted.statusCode()).isEqualTo(200);
        assertThat(minted.headers().firstValue("Cache-Control")).hasValue("no-store");
        JsonObject body = new JsonObject(minted.body());
        assertThat(body.getLong("expiresIn")).isEqualTo(60);

        PublicKey key = KeyUtils.decodePublicKey(Files.readString(DevTokens.publicKeyFile()));
        JwtClaims claims = new JwtConsumerBuilder().setVerificationKey(key)
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, AlgorithmIdentifiers.RSA_USING_SHA256)
                .setExpectedIssuer(DevTokens.ISSUER).setExpectedAudience(DevTokens.AUDIENCE).setRequireExpirationTime()
                .setRequireIssuedAt().setRequireJwtId().setRequireSubject().build().processToClaims(body.getString("token"));
        assertThat(claims.getClaimNames()).containsExactlyInAnyOrder("iss", "aud", "sub", "groups", "name", "iat", "exp", "jti");
        assertThat(claims.getSubject()).isEqualTo("pat");
        assertThat(claims.getStringListClaimValue("groups")).containsExactly("partner");
        assertThat(claims.getStringClaimValue("name")).isEqualTo("Pat Partner");
        assertThat(claims.getIssuedAt().getValue()).isGreaterThanOrEqualTo(before);
        assertThat(claims.getExpirationTime().getValue()).isEqualTo(claims.getIssuedAt().getValue() + 60);
    }

    @Test
    void withoutATtlTheTokenLastsTwelveHoursAndIsNamedAfterItsSub() throws Exception {
        JsonObject body = new JsonObject(post("{\"sub\":\"uma\",\"role\":\"user\"}").body());
        assertThat(body.getLong("expiresIn")).isEqualTo(43_200);
        String payload = new String(java.util.Base64.getUrlDecoder().decode(body.getString("token").split("\\.")[1]));
        assertThat(new JsonObject(payload).getString("name")).isEqualTo("uma");
    }

    @Test
    void badSignInRequestsAreProblemsNamingTheirField() throws Exception {
        Map<String, String> cases = Map.of(
                "{\"role\":\"partner\"}", "sub",
                "{\"sub\":\"\",\"role\":\"partner\"}", "sub",
                "{\"sub\":\"a b\",\"role\":\"partner\"}", "sub",
                "{\"sub\":\"x\"}", "role",
                "{\"sub\":\"x\",\"role\":\"root\"}", "role",
                "{\"sub\":\"x\",\"role\":\"user\",\"name\":7}", "name",
                "{\"sub\":\"x\",\"role\":\"user\",\"ttlSeconds\":1}", "ttlSeconds",
                "{\"sub\":\"x\",\"role\":\"user\",\"ttlSeconds\":99999999}", "ttlSeconds");
        for (var c : cases.entrySet()) {
            HttpResponse<String> r = post(c.getKey());
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).as(c.getKey()).hasValue("application/problem+json");
            assertThat(new JsonObject(r.body()).getJsonArray("errors").getJsonObject(0).getString("field")).as(c.getKey())
                    .isEqualTo(c.getValue());
        }
        for (String malformed : new String[] { "{not json", "[1,2]", "" }) {
            HttpResponse<String> r = post(malformed);
            assertThat(r.statusCode()).as(malformed).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).as(malformed).hasValue("application/problem+json");
        }
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/dev/token")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
