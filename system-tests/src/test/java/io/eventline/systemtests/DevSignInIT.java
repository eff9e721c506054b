package io.eventline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.eventline.launcher.ServiceProcess;
import io.eventline.launcher.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The demo app as the packaged gateway serves it: the built assets at {@code /}, and the dev-profile
 * sign-in ({@code GET /dev/personas}, {@code POST /dev/token}) that a production gateway does not have.
 */
class DevSignInIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theGatewayServesTheWebAppAtTheRootWithCacheableAssets() throws Exception {
        String base = Cluster.get().gatewayA.url();
        HttpResponse<String> index = get(base + "/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(index.headers().firstValue("Cache-Control")).hasValue("no-cache");
        String asset = index.body().replaceAll("(?s).*src=\"(/assets/[^\"]+\\.js)\".*", "$1");
        assertThat(asset).startsWith("/assets/");
        HttpResponse<String> js = get(base + asset);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
    }

    @Test
    void inTheDevProfileAPersonaGetsATokenThatTheServicesAccept() throws Exception {
        String base = Cluster.get().gatewayA.url();
        JsonArray personas = new JsonArray(get(base + "/dev/personas").body());
        assertThat(personas.stream().map(p -> ((JsonObject) p).getString("role"))).containsExactly("partner", "admin", "user");

        HttpResponse<String> minted = post(base + "/dev/token", "{\"sub\":\"dev-sign-in-pat\",\"role\":\"partner\",\"name\":\"Pat\",\"ttlSeconds\":60}");
        assertThat(minted.statusCode()).isEqualTo(200);
        JsonObject token = new JsonObject(minted.body());
        assertThat(token.getLong("expiresIn")).isEqualTo(60);
        HttpResponse<String> mine = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/events/mine"))
                .header("Authorization", "Bearer " + token.getString("token")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(mine.statusCode()).isEqualTo(200);
        HttpResponse<String> ticket = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/stream/tickets"))
                .header("Authorization", "Bearer " + token.getString("token")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ticket.statusCode()).isEqualTo(200);
    }

    @Test
    void badSignInRequestsAreProblemsWithTheirFields() throws Exception {
        String base = Cluster.get().gatewayA.url();
        Map<String, String> cases = Map.of(
                "{\"role\":\"partner\"}", "sub",
                "{\"sub\":\"\",\"role\":\"partner\"}", "sub",
                "{\"sub\":\"x\",\"role\":\"root\"}", "role",
                "{\"sub\":\"x\",\"role\":\"user\",\"ttlSeconds\":1}", "ttlSeconds",
                "{\"sub\":\"x\",\"role\":\"user\",\"ttlSeconds\":\"long\"}", "ttlSeconds",
                "{\"sub\":\"x\",\"role\":\"user\",\"ttlSeconds\":99999999}", "ttlSeconds",
                "{\"sub\":\"" + "x".repeat(101) + "\",\"role\":\"user\"}", "sub",
                "{\"sub\":7,\"role\":\"user\"}", "sub");
        for (var c : cases.entrySet()) {
            HttpResponse<String> r = post(base + "/dev/token", c.getKey());
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(new JsonObject(r.body()).getJsonArray("errors").getJsonObject(0).getString("field")).as(c.getKey())
                    .isEqualTo(c.getValue());
        }
        for (String malformed : new String[] { "{not json", "[1,2]", "" }) {
            HttpResponse<String> r = post(base + "/dev/token", malformed);
            assertThat(r.statusCode()).as(malformed).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
    }

    @Test
    void aProductionGatewayHasNoDevSignInEvenWithTheKeyAtHand() throws Exception {
        Cluster cluster = Cluster.get();
        // The committed verification key under prod needs the loud opt-in (prodGatewayEnv sets it);
        // the point here is that even then, with the signing key at hand, nobody can mint tokens.
        Map<String, String> env = cluster.prodGatewayEnv();
        assertThat(env).containsKey("EVENTLINE_DEV_SIGNING_KEY_LOCATION");
        ServiceProcess prod = Modules.start("gateway", Ports.free(),
                env, Path.of("target", "it-logs", "prod-dev-sign-in"));
        try {
            prod.awaitReady(Duration.ofSeconds(90));
            assertThat(post(prod.url() + "/dev/token", "{\"sub\":\"eve\",\"role\":\"admin\"}").statusCode()).isEqualTo(404);
            assertThat(get(prod.url() + "/dev/personas").statusCode()).isEqualTo(404);
            assertThat(get(prod.url() + "/").statusCode()).isEqualTo(200);
        } finally {
            prod.stop();
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
