package io.eventline.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.eventline.events.Api.Persona;
import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Bookings never oversell, and a repeated Idempotency-Key never books twice. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "events"))
class BookingTest {

    @Test
    void twoHundredConcurrentRequestsForFiftySeatsConfirmExactlyFifty() throws Exception {
        String id = Api.approvedEvent(Api.partner(), 50);
        List<Callable<Integer>> requests = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Persona booker = Api.user();
            String token = booker.token();
            requests.add(() -> io.restassured.RestAssured.given().auth().oauth2(token)
                    .contentType("application/json").body("{\"seats\":1}")
                    .post("/api/events/" + id + "/bookings").statusCode());
        }
        ExecutorService pool = Executors.newFixedThreadPool(50);
        List<Integer> statuses = new ArrayList<>();
        try {
            for (Future<Integer> f : pool.invokeAll(requests)) {
                statuses.add(f.get());
            }
        } finally {
            pool.shutdown();
        }

        Map<Integer, Long> byStatus = statuses.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
        assertThat(byStatus).containsExactlyInAnyOrderEntriesOf(Map.of(201, 50L, 409, 150L));
        Api.admin().req().get("/api/events/" + id).then().body("seatsBooked", equalTo(50));
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstBookingAndCreatesNothing() {
        String id = Api.approvedEvent(Api.partner(), 10);
        Persona uma = Api.user();

        String first = uma.req().header("Idempotency-Key", "tab-1-click-7").body("{\"seats\":2}")
                .post("/api/events/" + id + "/bookings").then().statusCode(201).extract().path("id");
        long rows = Api.storedRows();
        uma.req().header("Idempotency-Key", "tab-1-click-7").body("{\"seats\":2}")
                .post("/api/events/" + id + "/bookings").then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("id", equalTo(first));

        assertThat(Api.storedRows()).isEqualTo(rows);
        uma.req().get("/api/events/" + id).then().body("seatsBooked", equalTo(2));
        // the key is the user's own: another user's same key books anew
        Api.user().req().header("Idempotency-Key", "tab-1-click-7").body("{\"seats\":2}")
                .post("/api/events/" + id + "/bookings").then().statusCode(201);
    }

    @Test
    void concurrentRequestsWithOneIdempotencyKeyBookOnce() throws Exception {
        String id = Api.approvedEvent(Api.partner(), 10);
        Persona uma = Api.user();
        String token = uma.token();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<String> ids = new ArrayList<>();
        try {
            List<Callable<String>> same = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                same.add(() -> io.restassured.RestAssured.given().auth().oauth2(token).contentType("application/json")
                        .header("Idempotency-Key", "double-click").body("{\"seats\":1}")
                        .post("/api/events/" + id + "/bookings").then().statusCode(201).extract().path("id"));
            }
            for (Future<String> f : pool.invokeAll(same)) {
                ids.add(f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertThat(ids.stream().distinct()).hasSize(1);
        uma.req().get("/api/events/" + id).then().body("seatsBooked", equalTo(1));
    }

    @Test
    void anIdempotencyKeyReusedForADifferentRequestIs422() {
        String id = Api.approvedEvent(Api.partner(), 10);
        Persona uma = Api.user();
        uma.req().header("Idempotency-Key", "k1").body("{\"seats\":1}").post("/api/events/" + id + "/bookings").then()
                .statusCode(201);
        uma.req().header("Idempotency-Key", "k1").body("{\"seats\":3}").post("/api/events/" + id + "/bookings").then()
                .statusCode(422).contentType("application/problem+json");
    }

    @Test
    void aRepeatedIdempotencyKeyOnCreateReturnsTheFirstEvent() {
        Persona pat = Api.partner();
        var body = Api.eventBody();
        String first = pat.req().header("Idempotency-Key", "create-1").body(body).post("/api/events").then()
                .statusCode(201).extract().path("id");
        long rows = Api.storedRows();
        pat.req().header("Idempotency-Key", "create-1").body(body).post("/api/events").then().statusCode(201)
                .body("id", equalTo(first));
        assertThat(Api.storedRows()).isEqualTo(rows);
    }

    @Test
    void bookingMoreSeatsThanAreLeftIs409AndChangesNothing() {
        String id = Api.approvedEvent(Api.partner(), 3);
        Api.user().req().body("{\"seats\":2}").post("/api/events/" + id + "/bookings").then().statusCode(201);
        long rows = Api.storedRows();

        Api.user().req().body("{\"seats\":2}").post("/api/events/" + id + "/bookings").then().statusCode(409)
                .contentType("application/problem+json").body("seatsLeft", equalTo(1));

        assertThat(Api.storedRows()).isEqualTo(rows);
    }

    @Test
    void bookingANonApprovedOrCancelledEventIs409() {
        Persona pat = Api.partner();
        String draft = Api.create(pat, Api.eventBody());
        String pending = Api.create(pat, Api.eventBody("submit", true));
        String cancelled = Api.approvedEvent(pat, 5);
        pat.req().post("/api/events/" + cancelled + "/cancel").then().statusCode(200);
        long rows = Api.storedRows();

        // a draft is invisible to users: 404; a pending one too
        Api.user().req().body("{\"seats\":1}").post("/api/events/" + draft + "/bookings").then().statusCode(404);
        Api.user().req().body("{\"seats\":1}").post("/api/events/" + pending + "/bookings").then().statusCode(404);
        Api.user().req().body("{\"seats\":1}").post("/api/events/" + cancelled + "/bookings").then().statusCode(409)
                .body("currentStatus", equalTo("CANCELLED")).body("detail", containsString("CANCELLED"));

        assertThat(Api.storedRows()).isEqualTo(rows);
    }

    @Test
    void cancellingABookingTwiceIs409() {
        String id = Api.approvedEvent(Api.partner(), 5);
        Persona uma = Api.user();
        String b = uma.req().body("{\"seats\":1}").post("/api/events/" + id + "/bookings").then().extract().path("id");
        uma.req().delete("/api/bookings/" + b).then().statusCode(200);
        uma.req().delete("/api/bookings/" + b).then().statusCode(409).contentType("application/problem+json");
        uma.req().get("/api/events/" + id).then().body("seatsBooked", equalTo(0));
    }

    @Test
    void capacityCannotDropBelowTheSeatsBooked() {
        Persona pat = Api.partner();
        String id = Api.approvedEvent(pat, 10);
        Api.user().req().body("{\"seats\":4}").post("/api/events/" + id + "/bookings").then().statusCode(201);
        long version = pat.req().get("/api/events/" + id).then().extract().<Integer>path("version");

        pat.req().header("If-Match", "\"" + version + "\"").body(Api.eventBody("capacity", 3)).put("/api/events/" + id)
                .then().statusCode(409).contentType("application/problem+json").body("seatsBooked", equalTo(4));
        pat.req().get("/api/events/" + id).then().body("capacity", equalTo(10));
    }
}
