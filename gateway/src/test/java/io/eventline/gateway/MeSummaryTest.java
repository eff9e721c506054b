package io.eventline.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.eventline.http.common.DevKeyGuard;
import io.eventline.http.common.RoleRule;
import io.eventline.localstack.DevTokens;
import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.arc.Arc;
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

    /** http-common's RoleRule and DevKeyGuard are beans of the gateway too, and the rule refuses an ambiguous token. */
    @Test
    void aTokenWithTwoEventlineRolesIs401() {
        assertThat(Arc.container().select(RoleRule.class).isResolvable()).as("RoleRule is a bean").isTrue();
        assertThat(Arc.container().select(DevKeyGuard.class).isResolvable()).as("DevKeyGuard is a bean").isTrue();
        long now = Instant.now().getEpochSecond();
        String twoRoles = DevTokens.sign(Map.of("iss", DevTokens.ISSUER, "aud", DevTokens.AUDIENCE, "sub", "pat",
                "groups", new String[] { "admin", "user" }, "iat", now, "exp", now + 600));
        given().auth().oauth2(twoRoles).get("/api/me/summary").then().statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("2 Eventline roles"));
    }
}
