package io.eventline.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.eventline.localstack.DevTokens;
import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
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
        assertThat(created.header("Location")).isEqualTo("/api/events/" + id);

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

    @TestHTTPResource("/")
    URL gateway;

    /**
     * The events-service's own 304s, for one event and for a list, over a raw socket: no body, no
     * Transfer-Encoding, and the connection carries the next request.
     */
    @Test
    void aNotModifiedFromTheEventsServiceIsFramedWithoutABody() throws IOException {
        String token = DevTokens.mint(partner, "partner", partner, Duration.ofMinutes(10));
        String id = as(partner, "partner").body(event()).post("/api/events").then().statusCode(201).extract().path("id");
        String listTag = as(partner, "partner").get("/api/events").then().statusCode(200).extract().header("ETag");
        List<String> auth = List.of("Authorization: Bearer " + token);
        try (HttpWire wire = new HttpWire(gateway.getPort(), 5_000)) {
            for (String[] conditional : new String[][] { { "/api/events/" + id, "\"1\"" }, { "/api/events", listTag } }) {
                HttpWire.Response notModified = wire.exchange("GET", conditional[0],
                        List.of(auth.get(0), "If-None-Match: " + conditional[1]), null);
                assertThat(notModified.statusLine()).startsWith("HTTP/1.1 304 ");
                assertThat(notModified.header("transfer-encoding")).as("Transfer-Encoding on a 304 of %s", conditional[0]).isNull();
                assertThat(notModified.header("content-length")).as("a Content-Length the service did not send").isNull();
                assertThat(notModified.header("etag")).isEqualTo(conditional[1]);
                assertThat(notModified.body()).isEmpty();
            }
            HttpWire.Response head = wire.exchange("HEAD", "/api/events/" + id, auth, null);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("transfer-encoding")).as("Transfer-Encoding on a HEAD").isNull();
            assertThat(head.header("etag")).isEqualTo("\"1\"");

            HttpWire.Response next = wire.exchange("GET", "/api/events/" + id, auth, null);
            assertThat(next.status()).as("the next answer on the connection").isEqualTo(200);
            assertThat(next.text()).contains("\"id\":\"" + id + "\"");
        }
    }

    /**
     * HEAD and OPTIONS on the events-service's paths: its own answer (never a 5xx), framed so that
     * the connection carries the next request.
     */
    @Test
    void headAndOptionsOnTheEventsServicesPathsAreAnsweredAndFramed() throws IOException {
        String id = as(partner, "partner").body(event()).post("/api/events").then().statusCode(201).extract().path("id");
        List<String> auth = List.of("Authorization: Bearer " + DevTokens.mint(partner, "partner", partner, Duration.ofMinutes(10)));
        try (HttpWire wire = new HttpWire(gateway.getPort(), 5_000)) {
            for (String path : List.of("/api/events", "/api/events/" + id, "/api/events/mine", "/api/bookings/mine",
                    "/api/events/" + id + "/submit", "/api/bookings/" + UUID.randomUUID())) {
                for (String method : List.of("HEAD", "OPTIONS")) {
                    HttpWire.Response r = wire.exchange(method, path, auth, null);
                    assertThat(r.status()).as("%s %s", method, path).isBetween(200, 499);
                    assertThat(r.header("transfer-encoding") == null || !method.equals("HEAD")).as("%s %s: %s", method, path, r.headers())
                            .isTrue();
                    if (r.status() >= 400) {
                        assertThat(r.header("content-type")).as("%s %s", method, path).startsWith("application/problem+json");
                    }
                }
            }
            HttpWire.Response next = wire.exchange("GET", "/api/events/" + id, auth, null);
            assertThat(next.status()).as("the next answer on the connection").isEqualTo(200);
        }
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
