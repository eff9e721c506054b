package io.eventline.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.net.URL;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;

/**
 * The service starts on the real local stack and says so on its health, metrics and OpenAPI
 * endpoints, on the management port ({@code quarkus.management.test-port}), none on the public one.
 */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class)
class HealthTest {

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void isLiveAndReady() {
        onManagementPort().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        // Ready once the stream dispatcher has read the topics; deliberately not gated on Kafka after that.
        onManagementPort().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("live stream"));
    }

    @Test
    void exposesPrometheusMetricsAndOpenApi() {
        // The classic text format, which a Prometheus server falls back to (it also speaks OpenMetrics).
        String metrics = onManagementPort().accept("text/plain").when().get("/q/metrics").then().statusCode(200)
                .contentType(startsWith("text/plain; version=0.0.4")).extract().asString();
        for (String name : List.of("eventline_stream_open", "eventline_stream_subscriptions", "eventline_stream_queued_bytes")) {
            assertThat(metrics).as("Prometheus text").containsPattern("(?m)^# TYPE " + name + " ")
                    .containsPattern("(?m)^" + name + "(\\{[^}]*\\})? [0-9.eE+-]+$");
        }
        JsonObject openApi = new JsonObject(onManagementPort().accept("application/json").when().get("/q/openapi").then()
                .statusCode(200).contentType(startsWith("application/json")).extract().asString());
        assertThat(openApi.getString("openapi")).startsWith("3.");
        assertThat(openApi.getJsonObject("paths").fieldNames()).contains("/api/stream/tickets", "/api/me/summary");
    }

    @Test
    void thePublicPortServesNoManagementEndpoint() {
        for (String path : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started", "/q/metrics",
                "/q/openapi", "/q/dev-ui/", "/q/")) {
            assertThat(given().accept("*/*").when().get(path).statusCode()).as("GET %s on the public port", path).isEqualTo(404);
        }
    }

    @Test
    void hasNoDevSignInOutsideTheDevProfile() {
        given().contentType("application/json").body("{\"sub\":\"eve\",\"role\":\"admin\"}").when().post("/dev/token")
                .then().statusCode(404);
        given().when().get("/dev/personas").then().statusCode(404);
    }

    /** RestAssured's default is the public port; this is the management one. */
    private RequestSpecification onManagementPort() {
        return given().baseUri(management.getProtocol() + "://" + management.getHost()).port(management.getPort());
    }
}
