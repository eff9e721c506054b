package io.eventline.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

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

/**
 * /api/me/summary gathers the counters in parallel; here messaging is down and notifications is
 * silent, so those parts are null and the rest still answers.
 */
@QuarkusTest
@WithTestResource(LocalStackTestResource.class)
@WithTestResource(UpstreamsResource.class)
class MeSummaryTest {

    @Test
    void aPartnersSummaryHasEventsByStatusAndNullsForServicesThatAreDown() {
        String partner = "partner-" + UUID.randomUUID();
        String token = DevTokens.mint(partner, "partner", partner, Duration.ofMinutes(10));
        Instant start = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> event = Map.of("title", "T", "venue", "V", "startsAt", start.toString(), "endsAt",
                start.plus(1, ChronoUnit.HOURS).toString(), "capacity", 5);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(event).post("/api/events").then().statusCode(201);
        given().auth().oauth2(token).contentType(ContentType.JSON).body(Map.of("title", "T2", "venue", "V", "startsAt",
                start.toString(), "endsAt", start.plus(1, ChronoUnit.HOURS).toString(), "capacity", 5, "submit", true))
                .post("/api/events").then().statusCode(201);

        given().auth().oauth2(token).get("/api/me/summary").then().statusCode(200)
                .body("events.DRAFT", equalTo(1))
                .body("events.PENDING_APPROVAL", equalTo(1))
                .body("bookings", equalTo(0))
                .body("unreadMessages", nullValue())
                .body("unreadNotifications", nullValue());
    }

    @Test
    void withoutAValidTokenTheSummaryIs401() {
        given().get("/api/me/summary").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2("not.a.token").get("/api/me/summary").then().statusCode(401);
    }
}
