package io.eventline.events;

import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.eventline.events.Api.Persona;
import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Optimistic concurrency (428, 412) and cheap polling (304) on single resources and lists. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "events"))
class ConditionalRequestsTest {

    @Test
    void anUpdateWithoutIfMatchIs428AndChangesNothing() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody());
        pat.req().body(Api.eventBody("title", "Changed")).put("/api/events/" + id).then().statusCode(428)
                .contentType("application/problem+json");
        pat.req().get("/api/events/" + id).then().body("title", equalTo("Jazz Night")).body("version", equalTo(1));
    }

    @Test
    void anUpdateWithAStaleIfMatchIs412AndChangesNothing() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody());
        pat.req().header("If-Match", "\"1\"").body(Api.eventBody("title", "First")).put("/api/events/" + id).then()
                .statusCode(200).header("ETag", "\"2\"");

        pat.req().header("If-Match", "\"1\"").body(Api.eventBody("title", "Second")).put("/api/events/" + id).then()
                .statusCode(412).contentType("application/problem+json").body("currentVersion", equalTo(2));
        pat.req().header("If-Match", "garbage").body(Api.eventBody("title", "Third")).put("/api/events/" + id).then()
                .statusCode(412).body("currentVersion", equalTo(2));
        pat.req().get("/api/events/" + id).then().body("title", equalTo("First"));
    }

    @Test
    void aGetWithTheCurrentETagIs304AndAChangeMakesIt200Again() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody());
        String etag = pat.req().get("/api/events/" + id).then().statusCode(200).extract().header("ETag");

        pat.req().header("If-None-Match", etag).get("/api/events/" + id).then().statusCode(304)
                .body(emptyString());
        pat.req().post("/api/events/" + id + "/submit").then().statusCode(200);
        pat.req().header("If-None-Match", etag).get("/api/events/" + id).then().statusCode(200).header("ETag", "\"2\"");
    }

    @Test
    void listsAnswer304UntilAnItemChanges() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody());
        String etag = pat.req().get("/api/events/mine").then().statusCode(200).extract().header("ETag");

        pat.req().header("If-None-Match", etag).get("/api/events/mine").then().statusCode(304);
        pat.req().post("/api/events/" + id + "/submit").then().statusCode(200);
        pat.req().header("If-None-Match", etag).get("/api/events/mine").then().statusCode(200);
    }

    @Test
    void theBookingsListAnswers304Too() {
        String id = Api.approvedEvent(Api.partner(), 5);
        Persona uma = Api.user();
        uma.req().body("{\"seats\":1}").post("/api/events/" + id + "/bookings").then().statusCode(201);
        String etag = uma.req().get("/api/bookings/mine").then().statusCode(200).extract().header("ETag");
        uma.req().header("If-None-Match", etag).get("/api/bookings/mine").then().statusCode(304);
    }
}
