package io.eventline.events;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.eventline.events.Api.Persona;
import io.eventline.http.common.DevKeyGuard;
import io.eventline.http.common.RoleRule;
import io.eventline.localstack.DevTokens;
import io.quarkus.arc.Arc;
import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Who may do what: 401 without a valid token, 403 for the wrong role, 404 for what one may not know of. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "events"))
class AccessRulesTest {

    @Test
    void noTokenIsA401ProblemWithABearerChallenge() {
        given().contentType(ContentType.JSON).body(Api.eventBody()).post("/api/events").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", startsWith("Bearer"))
                .body("status", equalTo(401));
        given().get("/api/events").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void anExpiredOrForeignIssuerTokenIsA401() {
        long now = Instant.now().getEpochSecond();
        String expired = DevTokens.sign(Map.of("iss", DevTokens.ISSUER, "sub", "p", "groups", new String[] { "partner" },
                "iat", now - 7200, "exp", now - 3600));
        String foreign = DevTokens.sign(Map.of("iss", "https://evil.example", "sub", "p", "groups",
                new String[] { "partner" }, "iat", now, "exp", now + 600));
        given().auth().oauth2(expired).get("/api/events").then().statusCode(401).contentType("application/problem+json");
        given().auth().oauth2(foreign).get("/api/events").then().statusCode(401);
        given().auth().oauth2("not.a.jwt").get("/api/events").then().statusCode(401);
    }

    /** http-common's RoleRule and DevKeyGuard are beans of the service, and the rule refuses an ambiguous token. */
    @Test
    void aTokenWithTwoEventlineRolesIsA401() {
        assertThat(Arc.container().select(RoleRule.class).isResolvable()).as("RoleRule is a bean").isTrue();
        assertThat(Arc.container().select(DevKeyGuard.class).isResolvable()).as("DevKeyGuard is a bean").isTrue();
        long now = Instant.now().getEpochSecond();
        String twoRoles = DevTokens.sign(Map.of("iss", DevTokens.ISSUER, "aud", DevTokens.AUDIENCE, "sub", "pat",
                "groups", new String[] { "admin", "user" }, "iat", now, "exp", now + 600));
        given().auth().oauth2(twoRoles).get("/api/events").then().statusCode(401)
                .contentType("application/problem+json").body("detail", containsString("2 Eventline roles"));
    }

    @Test
    void aPartnerCannotSeeOrEditAnotherPartnersDraft() {
        Persona pat = Api.partner();
        Persona other = Api.partner();
        String id = Api.create(pat, Api.eventBody());

        other.req().get("/api/events/" + id).then().statusCode(404).contentType("application/problem+json");
        other.req().header("If-Match", "\"1\"").body(Api.eventBody()).put("/api/events/" + id).then().statusCode(404);
        other.req().post("/api/events/" + id + "/submit").then().statusCode(404);
        other.req().post("/api/events/" + id + "/cancel").then().statusCode(404);
        Api.user().req().get("/api/events/" + id).then().statusCode(404);
    }

    @Test
    void aPartnerCannotEditAnotherPartnersApprovedEvent() {
        String id = Api.approvedEvent(Api.partner(), 5);
        Api.partner().req().header("If-Match", "\"3\"").body(Api.eventBody()).put("/api/events/" + id).then()
                .statusCode(403).contentType("application/problem+json");
        Api.partner().req().post("/api/events/" + id + "/cancel").then().statusCode(403);
    }

    @Test
    void anAdminSeesDraftsButOnlyAnAdminApprovesOrRejects() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody("submit", true));

        Api.admin().req().get("/api/events/" + id).then().statusCode(200);
        Api.user().req().post("/api/events/" + id + "/approve").then().statusCode(403)
                .contentType("application/problem+json");
        pat.req().post("/api/events/" + id + "/approve").then().statusCode(403);
        pat.req().body("{\"reason\":\"no\"}").post("/api/events/" + id + "/reject").then().statusCode(403);
        Api.user().req().get("/api/events/review").then().statusCode(403);
    }

    @Test
    void onlyPartnersCreateAndOnlyUsersBook() {
        Api.user().req().body(Api.eventBody()).post("/api/events").then().statusCode(403);
        Api.admin().req().body(Api.eventBody()).post("/api/events").then().statusCode(403);
        String id = Api.approvedEvent(Api.partner(), 5);
        Api.partner().req().body("{\"seats\":1}").post("/api/events/" + id + "/bookings").then().statusCode(403);
        Api.partner().req().get("/api/bookings/mine").then().statusCode(403);
        Api.user().req().get("/api/events/mine").then().statusCode(403);
    }

    @Test
    void aUserCannotCancelSomeoneElsesBooking() {
        String id = Api.approvedEvent(Api.partner(), 5);
        Persona uma = Api.user();
        String booking = uma.req().body("{\"seats\":1}").post("/api/events/" + id + "/bookings").then().statusCode(201)
                .extract().path("id");
        long before = Api.storedRows();

        Api.user().req().delete("/api/bookings/" + booking).then().statusCode(404)
                .contentType("application/problem+json");
        Api.user().req().get("/api/bookings/" + booking).then().statusCode(404);

        uma.req().get("/api/bookings/" + booking).then().body("status", equalTo("CONFIRMED"));
        uma.req().get("/api/events/" + id).then().body("seatsBooked", equalTo(1));
        org.assertj.core.api.Assertions.assertThat(Api.storedRows()).isEqualTo(before);
    }

    @Test
    void theTokenIsTheActorNeverTheBody() {
        Persona pat = Api.partner();
        var body = Api.eventBody();
        String id = Api.create(pat, body);
        pat.req().get("/api/events/" + id).then().body("partnerId", equalTo(pat.sub()));
        // partnerId is not an input: sending one is an unknown field, not an impersonation
        body.put("partnerId", "someone-else");
        pat.req().body(body).post("/api/events").then().statusCode(400).body("errors[0].field", equalTo("partnerId"));
    }
}
