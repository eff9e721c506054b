package io.eventline.events;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.net.URL;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.eventline.events.Api.Persona;
import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** The happy path of every endpoint, through the approval workflow. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "events"))
class EventWorkflowTest {

    @Test
    void aPartnerCreatesADraftWithLocationAndETag() {
        Persona pat = Api.partner();

        var r = pat.req().body(Api.eventBody()).post("/api/events").then().statusCode(201)
                .header("Location", startsWith("/api/events/"))
                .header("ETag", "\"1\"")
                .body("status", equalTo("DRAFT"))
                .body("partnerId", equalTo(pat.sub()))
                .body("version", equalTo(1))
                .body("seatsBooked", equalTo(0))
                .body("title", equalTo("Jazz Night"))
                .extract();

        pat.req().get(r.header("Location")).then().statusCode(200).body("id", equalTo(r.path("id")));
    }

    @Test
    void submitOnCreateGoesStraightToTheReviewQueue() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody("submit", true));

        Api.admin().req().get("/api/events/" + id).then().statusCode(200).body("status", equalTo("PENDING_APPROVAL"));
        Api.admin().req().queryParam("limit", 100).get("/api/events/review").then().statusCode(200)
                .body("items.id", hasItem(id));
    }

    @Test
    void submitApproveThenTheEventIsInTheCatalogForEveryone() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody());

        pat.req().post("/api/events/" + id + "/submit").then().statusCode(200)
                .body("status", equalTo("PENDING_APPROVAL")).header("ETag", "\"2\"");
        Api.admin().req().post("/api/events/" + id + "/approve").then().statusCode(200)
                .body("status", equalTo("APPROVED"));

        Api.user().req().get("/api/events/" + id).then().statusCode(200);
        Api.user().req().queryParam("limit", 100).get("/api/events").then().statusCode(200).body("items.id", hasItem(id));
    }

    @Test
    void aRejectedEventIsEditedAndSubmittedAgain() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody("submit", true));

        Api.admin().req().body("{\"reason\":\"Venue missing an address\"}").post("/api/events/" + id + "/reject")
                .then().statusCode(200).body("status", equalTo("REJECTED"))
                .body("rejectionReason", equalTo("Venue missing an address"));
        pat.req().header("If-Match", "\"2\"").body(Api.eventBody("venue", "Blue Room, 1 Main St"))
                .put("/api/events/" + id).then().statusCode(200).body("venue", equalTo("Blue Room, 1 Main St"))
                .body("version", equalTo(3));
        pat.req().post("/api/events/" + id + "/submit").then().statusCode(200)
                .body("status", equalTo("PENDING_APPROVAL")).body("rejectionReason", nullValue());
    }

    @Test
    void editingAnApprovedEventKeepsItApprovedWithTheChangeWaitingForReview() {
        Persona pat = Api.partner();
        String id = Api.approvedEvent(pat, 10);

        pat.req().header("If-Match", "\"3\"").body(Api.eventBody("venue", "Green Hall")).put("/api/events/" + id)
                .then().statusCode(200).body("status", equalTo("APPROVED")).body("venue", equalTo("Blue Room"))
                .body("revision.venue", equalTo("Green Hall")).body("revision.status", equalTo("PENDING"));
    }

    @Test
    void cancellingAnEventCancelsItsBookings() {
        Persona pat = Api.partner();
        String id = Api.approvedEvent(pat, 10);
        Persona uma = Api.user();
        String booking = uma.req().body("{\"seats\":2}").post("/api/events/" + id + "/bookings").then().statusCode(201)
                .extract().path("id");

        pat.req().post("/api/events/" + id + "/cancel").then().statusCode(200).body("status", equalTo("CANCELLED"))
                .body("seatsBooked", equalTo(0));

        uma.req().get("/api/bookings/" + booking).then().statusCode(200).body("status", equalTo("CANCELLED"));
        Api.user().req().queryParam("limit", 100).get("/api/events").then().body("items.id", not(hasItem(id)));
    }

    @Test
    void anAdminMayCancelAnyEvent() {
        String id = Api.create(Api.partner(), Api.eventBody("submit", true));
        Api.admin().req().post("/api/events/" + id + "/cancel").then().statusCode(200)
                .body("status", equalTo("CANCELLED"));
    }

    @Test
    void myEventsAreNewestFirstFilteredByStatusAndPaginatedByCursor() {
        Persona pat = Api.partner();
        String first = Api.create(pat, Api.eventBody());
        String second = Api.create(pat, Api.eventBody("submit", true));
        String third = Api.create(pat, Api.eventBody());

        var page1 = pat.req().queryParam("limit", 2).get("/api/events/mine").then().statusCode(200)
                .body("items", hasSize(2)).body("nextCursor", notNullValue()).extract();
        List<String> ids = page1.path("items.id");
        String cursor = page1.path("nextCursor");
        var page2 = pat.req().queryParam("limit", 2).queryParam("cursor", cursor).get("/api/events/mine").then()
                .statusCode(200).body("items", hasSize(1)).body("nextCursor", nullValue()).extract();

        org.assertj.core.api.Assertions.assertThat(List.of(ids.get(0), ids.get(1), page2.<String>path("items[0].id")))
                .containsExactly(third, second, first);
        pat.req().queryParam("status", "PENDING_APPROVAL").get("/api/events/mine").then().statusCode(200)
                .body("items.id", equalTo(List.of(second)));
    }

    @Test
    void theReviewQueueIsOldestSubmissionFirst() {
        Persona pat = Api.partner();
        String older = Api.create(pat, Api.eventBody("submit", true));
        String newer = Api.create(pat, Api.eventBody("submit", true));

        List<String> queue = Api.admin().req().queryParam("limit", 100).get("/api/events/review").then().statusCode(200)
                .extract().path("items.id");
        org.assertj.core.api.Assertions.assertThat(queue.indexOf(older)).isLessThan(queue.indexOf(newer));
    }

    @Test
    void aUserBooksListsAndCancelsABooking() {
        String id = Api.approvedEvent(Api.partner(), 10);
        Persona uma = Api.user();

        var created = uma.req().body("{\"seats\":3}").post("/api/events/" + id + "/bookings").then().statusCode(201)
                .body("seats", equalTo(3)).body("status", equalTo("CONFIRMED")).body("userId", equalTo(uma.sub()))
                .extract();
        String booking = created.path("id");
        org.assertj.core.api.Assertions.assertThat(created.header("Location")).isEqualTo("/api/bookings/" + booking);
        uma.req().get("/api/bookings/mine").then().statusCode(200)
                .body("items[0].id", equalTo(booking))
                .body("items[0].event.title", equalTo("Jazz Night"))
                .body("items[0].event.venue", equalTo("Blue Room"))
                .body("items[0].event.status", equalTo("APPROVED"))
                .body("items[0].event.startsAt", notNullValue());
        uma.req().get("/api/events/" + id).then().body("seatsBooked", equalTo(3));

        uma.req().delete("/api/bookings/" + booking).then().statusCode(200).body("status", equalTo("CANCELLED"));
        uma.req().get("/api/events/" + id).then().body("seatsBooked", equalTo(0));
    }

    @Test
    void countsForTheDashboardSummary() {
        Persona pat = Api.partner();
        Api.create(pat, Api.eventBody());
        String approved = Api.approvedEvent(pat, 5);
        Persona uma = Api.user();
        uma.req().body("{\"seats\":2}").post("/api/events/" + approved + "/bookings").then().statusCode(201);
        String second = uma.req().body("{\"seats\":1}").post("/api/events/" + approved + "/bookings").then()
                .statusCode(201).extract().path("id");
        uma.req().delete("/api/bookings/" + second).then().statusCode(200);

        pat.req().get("/api/events/counts").then().statusCode(200).body("DRAFT", equalTo(1))
                .body("APPROVED", equalTo(1));
        uma.req().get("/api/events/counts").then().statusCode(200).body("size()", equalTo(0));
        uma.req().get("/api/bookings/count").then().statusCode(200).body("count", equalTo(1));
        Api.admin().req().get("/api/events/counts").then().statusCode(200).body("APPROVED", notNullValue());
    }

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void everyEndpointIsDocumentedInOpenApi() {
        given().baseUri(management.getProtocol() + "://" + management.getHost()).port(management.getPort())
                .accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths.'/api/events'.post.summary", equalTo("Create an event"))
                .body("paths.'/api/events/{id}/bookings'.post.summary", equalTo("Book seats"))
                .body("paths.'/api/bookings/mine'.get.summary", equalTo("The caller's bookings"));
    }
}
