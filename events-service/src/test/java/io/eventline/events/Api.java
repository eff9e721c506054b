package io.eventline.events;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import io.eventline.localstack.DevTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Test helpers: personas with tokens, a valid event body, and counts of what is stored. */
final class Api {

    /** A persona of one test: a fresh subject so tests never see each other's data. */
    record Persona(String sub, String role) {
        String token() {
            return DevTokens.mint(sub, role, sub, Duration.ofMinutes(30));
        }

        RequestSpecification req() {
            return given().auth().oauth2(token()).contentType(ContentType.JSON);
        }
    }

    static Persona partner() {
        return new Persona("partner-" + UUID.randomUUID(), "partner");
    }

    static Persona admin() {
        return new Persona("admin-" + UUID.randomUUID(), "admin");
    }

    static Persona user() {
        return new Persona("user-" + UUID.randomUUID(), "user");
    }

    static Map<String, Object> eventBody() {
        Instant start = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> body = new HashMap<>();
        body.put("title", "Jazz Night");
        body.put("description", "Live quartet");
        body.put("venue", "Blue Room");
        body.put("startsAt", start.toString());
        body.put("endsAt", start.plus(3, ChronoUnit.HOURS).toString());
        body.put("capacity", 50);
        body.put("category", "music");
        return body;
    }

    static Map<String, Object> eventBody(String key, Object value) {
        Map<String, Object> body = eventBody();
        body.put(key, value);
        return body;
    }

    /** Creates an event and returns its id. */
    static String create(Persona partner, Map<String, Object> body) {
        return partner.req().body(body).post("/api/events").then().statusCode(201).extract().path("id");
    }

    /** Creates, submits and approves an event of the given capacity; returns its id. */
    static String approvedEvent(Persona partner, int capacity) {
        String id = create(partner, eventBody("capacity", capacity));
        partner.req().post("/api/events/" + id + "/submit").then().statusCode(200);
        admin().req().post("/api/events/" + id + "/approve").then().statusCode(200);
        return id;
    }

    /** Rows in the tables a rejected request must not touch. */
    static long storedRows() {
        return QuarkusTransaction.requiringNew().call(() -> Event.count() + Booking.count()
                + ((Number) Event.getEntityManager().createNativeQuery("select count(*) from idempotency_key")
                        .getSingleResult()).longValue());
    }

    private Api() {
    }
}
