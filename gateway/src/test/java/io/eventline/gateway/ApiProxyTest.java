package io.eventline.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.eventline.localstack.DevTokens;
import io.eventline.localstack.LocalStackTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** /api/** through the gateway keeps status, body and the headers that matter; a dead service is a quick 503/504. */
@QuarkusTest
@WithTestResource(LocalStackTestResource.class)
@WithTestResource(UpstreamsResource.class)
class ApiProxyTest {

    private final String partner = "partner-" + UUID.randomUUID();

    private RequestSpecification as(String sub, String role) {
        return given().auth().oauth2(DevTokens.mint(sub, role, sub, Duration.ofMinutes(10))).contentType(ContentType.JSON);
    }

    private Map<String, Object> event() {
        Instant start = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        return Map.of("title", "Through the gateway", "venue", "Hall", "startsAt", start.toString(), "endsAt",
                start.plus(2, ChronoUnit.HOURS).toString(), "capacity", 10);
    }

    @Test
    void aCreateKeepsStatusLocationETagAndIdempotencyKey() {
        Map<String, Object> body = event();
        var created = as(partner, "partner").header("Idempotency-Key", "gw-1").body(body).post("/api/events").then()
                .statusCode(201).header("ETag", "\"1\"").contentType(ContentType.JSON).extract();
        String id = created.path("id");
        org.assertj.core.api.Assertions.assertThat(created.header("Location")).isEqualTo("/api/events/" + id);

        as(partner, "partner").header("Idempotency-Key", "gw-1").body(body).post("/api/events").then()
                .statusCode(201).header("Idempotent-Replayed", "true").body("id", equalTo(id));
    }

    @Test
    void conditionalRequestsPassThrough() {
        String id = as(partner, "partner").body(event()).post("/api/events").then().statusCode(201).extract().path("id");

        as(partner, "partner").header("If-None-Match", "\"1\"").get("/api/events/" + id).then().statusCode(304);
        as(partner, "partner").header("If-Match", "\"7\"").body(event()).put("/api/events/" + id).then().statusCode(412)
                .contentType("application/problem+json");
        as(partner, "partner").body(event()).put("/api/events/" + id).then().statusCode(428);
        as(partner, "partner").header("If-Match", "\"1\"").body(event()).put("/api/events/" + id).then().statusCode(200)
                .header("ETag", "\"2\"");
    }

    @Test
    void theServicesAnswersPassThroughUnchanged() {
        given().get("/api/events").then().statusCode(401).contentType("application/problem+json");
        as("u-" + UUID.randomUUID(), "user").get("/api/bookings/mine").then().statusCode(200);
        as(partner, "partner").queryParam("limit", 0).get("/api/events").then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void aStoppedServiceIsAQuick503Problem() {
        as(partner, "partner").get("/api/conversations").then().statusCode(503)
                .contentType("application/problem+json").body("status", equalTo(503))
                .time(lessThan(5_000L));
    }

    @Test
    void aSilentServiceIsA504ProblemNotAHang() {
        as(partner, "partner").get("/api/notifications").then().statusCode(504)
                .contentType("application/problem+json").body("status", equalTo(504))
                .time(lessThan(10_000L));
    }
}
