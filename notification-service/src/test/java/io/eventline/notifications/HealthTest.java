package io.eventline.notifications;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.eventline.localstack.LocalStackTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/** The service starts on the real local stack and says so on its health, metrics and OpenAPI endpoints. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "notifications"))
class HealthTest {

    @Test
    void isLiveAndReady() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("Database connections health check"))
                .body("checks.name", hasItem("change-feed outbox relay"))
                // the connector's own check: the change-feed channel is connected and consuming
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - readiness check' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - readiness check' }.data.change-feed",
                        equalTo("[OK]"));
    }

    @Test
    void exposesPrometheusMetricsAndOpenApi() {
        // The classic text format, which a Prometheus server falls back to (it also speaks OpenMetrics).
        String metrics = given().accept("text/plain").when().get("/q/metrics").then().statusCode(200)
                .contentType(startsWith("text/plain; version=0.0.4")).extract().asString();
        for (String name : List.of("eventline_outbox_pending", "eventline_outbox_published_total", "eventline_outbox_lag_seconds")) {
            assertThat(metrics).as("Prometheus text").containsPattern("(?m)^# TYPE " + name + " ")
                    .containsPattern("(?m)^" + name + "(\\{[^}]*\\})? [0-9.eE+-]+$");
        }
        JsonObject openApi = new JsonObject(given().accept("application/json").when().get("/q/openapi").then()
                .statusCode(200).contentType(startsWith("application/json")).extract().asString());
        assertThat(openApi.getString("openapi")).startsWith("3.");
        assertThat(openApi.getJsonObject("paths").fieldNames()).contains("/api/notifications", "/api/notifications/{id}/read", "/api/notifications/read-all");
    }
}
