package io.eventline.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.eventline.events.Api.Persona;
import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** Each bad input: a clear 4xx as problem+json, and nothing written. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "events"))
class BadInputTest {

    private final Persona pat = Api.partner();
    private long rowsBefore;

    @BeforeEach
    void countRows() {
        rowsBefore = Api.storedRows();
    }

    @Test
    void malformedJson() {
        problem(pat.req().body("{\"title\": \"Jazz\",").post("/api/events"), 400).body("title", equalTo("Malformed JSON"));
    }

    @Test
    void aStringForCapacity() {
        problem(pat.req().body(Api.eventBody("capacity", "fifty")).post("/api/events"), 400)
                .body("errors.field", hasItem("capacity"));
        problem(pat.req().body(Api.eventBody("capacity", "50")).post("/api/events"), 400);
        problem(pat.req().body(Api.eventBody("capacity", 1.5)).post("/api/events"), 400);
    }

    @Test
    void anUnknownField() {
        problem(pat.req().body(Api.eventBody("status", "APPROVED")).post("/api/events"), 400)
                .body("errors[0].field", equalTo("status"));
    }

    @Test
    void anUnknownStatusFilter() {
        problem(pat.req().queryParam("status", "PUBLISHED").get("/api/events/mine"), 400)
                .body("errors[0].field", equalTo("status"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "title", "venue", "startsAt", "endsAt", "capacity" })
    void aMissingRequiredField(String field) {
        Map<String, Object> body = Api.eventBody();
        body.remove(field);
        problem(pat.req().body(body).post("/api/events"), 400).body("errors.field", hasItem(field));
    }

    @Test
    void aBlankTitleOrOneTooLong() {
        problem(pat.req().body(Api.eventBody("title", "   ")).post("/api/events"), 400)
                .body("errors.field", hasItem("title"));
        problem(pat.req().body(Api.eventBody("title", "x".repeat(201))).post("/api/events"), 400);
    }

    @Test
    void endsAtBeforeStartsAt() {
        Map<String, Object> body = Api.eventBody();
        body.put("endsAt", Instant.parse((String) body.get("startsAt")).minus(1, ChronoUnit.HOURS).toString());
        problem(pat.req().body(body).post("/api/events"), 400).body("errors[0].field", equalTo("endsAt"));
    }

    @Test
    void anEndPastTheYear9999OnCreateAndOnEditIsRefusedNotOverflowed() {
        Map<String, Object> body = Api.eventBody();
        body.put("endsAt", "+1000000000-12-31T23:59:59Z");
        problem(pat.req().body(body).post("/api/events"), 400).body("errors[0].field", equalTo("endsAt"));

        Map<String, Object> valid = Api.eventBody();
        var created = pat.req().body(valid).post("/api/events").then().statusCode(201).extract();
        valid.remove("submit");
        valid.put("endsAt", "+1000000000-12-31T23:59:59Z");
        pat.req().header("If-Match", created.header("ETag")).body(valid).put("/api/events/" + created.path("id")).then()
                .statusCode(400).contentType("application/problem+json").body("errors[0].field", equalTo("endsAt"));
        pat.req().get("/api/events/" + created.path("id")).then().statusCode(200).body("version", equalTo(1));
    }

    @Test
    void aStartInThePast() {
        Map<String, Object> body = Api.eventBody();
        body.put("startsAt", Instant.now().minus(1, ChronoUnit.DAYS).toString());
        problem(pat.req().body(body).post("/api/events"), 400).body("errors[0].field", equalTo("startsAt"));
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, -1, 100_001 })
    void aCapacityOutOfRange(int capacity) {
        problem(pat.req().body(Api.eventBody("capacity", capacity)).post("/api/events"), 400)
                .body("errors.field", hasItem("capacity"));
    }

    @Test
    void aBodyOver64KiB() {
        problem(pat.req().body(Api.eventBody("description", "x".repeat(70_000))).post("/api/events"), 413);
    }

    @Test
    void aWrongContentType() {
        problem(given().auth().oauth2(pat.token()).contentType("text/plain").body("title=Jazz").post("/api/events"), 415);
    }

    @Test
    void aNonUuidIdIsNotFoundNeverA500() {
        problem(pat.req().get("/api/events/not-a-uuid"), 404);
        problem(pat.req().get("/api/events/" + "9".repeat(36)), 404);
        problem(pat.req().post("/api/events/1234/submit"), 404);
        problem(Api.user().req().delete("/api/bookings/%20"), 404);
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "11", "-1", "\"two\"" })
    void seatsOutOfRange(String seats) {
        String id = Api.approvedEvent(pat, 20);
        rowsBefore = Api.storedRows();
        problem(Api.user().req().body("{\"seats\":" + seats + "}").post("/api/events/" + id + "/bookings"), 400)
                .body("errors.field", hasItem("seats"));
    }

    @Test
    void aBadLimitOrCursor() {
        problem(pat.req().queryParam("limit", 0).get("/api/events"), 400).body("errors[0].field", equalTo("limit"));
        problem(pat.req().queryParam("limit", 101).get("/api/events"), 400);
        problem(pat.req().queryParam("limit", "many").get("/api/events"), 400);
        problem(pat.req().queryParam("limit", -1).get("/api/events/mine"), 400).body("errors[0].field", equalTo("limit"));
        problem(pat.req().queryParam("cursor", "forged!").get("/api/events"), 400)
                .body("errors[0].field", equalTo("cursor"));
        problem(pat.req().queryParam("cursor", "4").get("/api/events/mine"), 400) // a message seq: another kind
                .body("errors[0].field", equalTo("cursor"));
        String padded = cursor("0".repeat(80) + "1:" + java.util.UUID.randomUUID()); // longer than any cursor
        problem(Api.user().req().queryParam("cursor", padded).get("/api/bookings/mine"), 400)
                .body("errors[0].field", equalTo("cursor"));
        problem(Api.admin().req().queryParam("limit", 0).queryParam("cursor", "forged!").get("/api/events/review"), 400)
                .body("errors[0].field", equalTo("limit"));
    }

    /**
     * A well-formed cursor at the ends of time, never a 500: before anything PostgreSQL can hold it
     * is a 400 (its data exception, SQLState class 22, as ProblemMapper answers it); at the far end
     * (still within PostgreSQL's range) it is only a page.
     */
    @Test
    void aForgedCursorAtTheEndsOfTime() {
        problem(pat.req().queryParam("cursor", cursor(Long.MIN_VALUE + ":" + java.util.UUID.randomUUID()))
                .get("/api/events/mine"), 400);
        pat.req().queryParam("cursor", cursor(Long.MAX_VALUE + ":" + java.util.UUID.randomUUID()))
                .get("/api/events/mine").then().statusCode(200);
    }

    private static String cursor(String raw) {
        return java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(raw.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void aRejectionWithoutAReason() {
        String id = Api.create(pat, Api.eventBody("submit", true));
        rowsBefore = Api.storedRows();
        problem(Api.admin().req().body("{\"reason\":\"\"}").post("/api/events/" + id + "/reject"), 400);
        problem(Api.admin().req().body("{\"reason\":\"" + "r".repeat(1001) + "\"}").post("/api/events/" + id + "/reject"), 400);
        Api.admin().req().get("/api/events/" + id).then().body("status", equalTo("PENDING_APPROVAL"));
    }

    @Test
    void aBadIdempotencyKey() {
        problem(pat.req().header("Idempotency-Key", "x".repeat(201)).body(Api.eventBody()).post("/api/events"), 400);
    }

    private ValidatableResponse problem(io.restassured.response.Response response, int status) {
        ValidatableResponse r = response.then().statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status)).body("title", notNullValue()).body("detail", notNullValue());
        assertThat(Api.storedRows()).as("nothing written").isEqualTo(rowsBefore);
        return r;
    }
}
