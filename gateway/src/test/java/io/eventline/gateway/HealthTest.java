package io.eventline.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import org.junit.jupiter.api.Test;

import io.eventline.localstack.LocalStackTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The service starts on the real local stack and says so on its health, metrics and OpenAPI endpoints. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class)
class HealthTest {

    @Test
    void isLiveAndReady() {
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        // Ready once the stream dispatcher has read the topics; deliberately not gated on Kafka after that.
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("live stream"));
    }

    @Test
    void exposesPrometheusMetricsAndOpenApi() {
        given().when().get("/q/metrics").then().statusCode(200);
        given().accept("application/json").when().get("/q/openapi").then().statusCode(200);
    }

    @Test
    void hasNoDevSignInOutsideTheDevProfile() {
        given().contentType("application/json").body("{\"sub\":\"eve\",\"role\":\"admin\"}").when().post("/dev/token")
                .then().statusCode(404);
        given().when().get("/dev/personas").then().statusCode(404);
    }
}
