package io.eventline.http.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.net.URL;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.vertx.core.json.JsonObject;

/**
 * What every domain service says once it has started on the real local stack: live and ready (its
 * database and its change-feed outbox relay among the checks), the outbox metrics in the Prometheus
 * text format, and an OpenAPI 3 document with its paths, all on the management port
 * ({@code quarkus.management.test-port}), none on the public one. Each service's {@code HealthTest} extends
 * this with its {@code @QuarkusTest} and test resource and names only what differs: its paths and
 * any readiness checks of its own. Published in service-http's test-jar.
 */
public abstract class ServiceHealthContract {

    /** What a client of the public port must not reach: every {@code /q/*} the service has. */
    public static final List<String> MANAGEMENT_PATHS = List.of("/q/health", "/q/health/live", "/q/health/ready",
            "/q/health/started", "/q/metrics", "/q/openapi", "/q/dev-ui/", "/q/");

    @TestHTTPResource(value = "/", management = true)
    URL management;

    /** Paths the service's OpenAPI document lists (among others). */
    protected abstract List<String> apiPaths();

    /** The service's own readiness checks, on the ready answer; none unless overridden. */
    protected void assertOwnReadiness(ValidatableResponse ready) {
    }

    @Test
    public void isLiveAndReady() {
        onManagementPort().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        assertOwnReadiness(onManagementPort().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"))
                .body("checks.name", hasItem("change-feed outbox relay")));
    }

    @Test
    public void exposesPrometheusMetricsAndOpenApi() {
        // The classic text format, which a Prometheus server falls back to (it also speaks OpenMetrics).
        String metrics = onManagementPort().accept("text/plain").when().get("/q/metrics").then().statusCode(200)
                .contentType(startsWith("text/plain; version=0.0.4")).extract().asString();
        for (String name : List.of("eventline_outbox_pending", "eventline_outbox_published_total", "eventline_outbox_lag_seconds")) {
            assertThat(metrics).as("Prometheus text").containsPattern("(?m)^# TYPE " + name + " ")
                    .containsPattern("(?m)^" + name + "(\\{[^}]*\\})? [0-9.eE+-]+$");
        }
        JsonObject openApi = new JsonObject(onManagementPort().accept("application/json").when().get("/q/openapi").then()
                .statusCode(200).contentType(startsWith("application/json")).extract().asString());
        assertThat(openApi.getString("openapi")).startsWith("3.");
        assertThat(openApi.getJsonObject("paths").fieldNames()).containsAll(apiPaths());
    }

    @Test
    public void thePublicPortServesNoManagementEndpoint() {
        for (String path : MANAGEMENT_PATHS) {
            assertThat(given().accept("*/*").when().get(path).statusCode()).as("GET %s on the public port", path).isEqualTo(404);
        }
    }

    /** RestAssured's default is the public port; this is the management one. */
    protected RequestSpecification onManagementPort() {
        return given().baseUri(management.getProtocol() + "://" + management.getHost()).port(management.getPort());
    }
}
