package io.eventline.events;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.eventline.events.Api.Persona;
import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every workflow transition, legal and illegal; an illegal one is a 409 naming the current state. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "events"))
class TransitionsTest {

    private final Persona pat = Api.partner();
    private final Persona ada = Api.admin();

    @Test
    void fromDraft() {
        String id = Api.create(pat, Api.eventBody());
        illegal(ada, id, "approve", "DRAFT");
        illegal(ada, id, "reject", "DRAFT");
        legal(pat, id, "submit", "PENDING_APPROVAL");
    }

    @Test
    void fromPendingApproval() {
        String id = Api.create(pat, Api.eventBody("submit", true));
        illegal(pat, id, "submit", "PENDING_APPROVAL");
        legal(ada, id, "approve", "APPROVED");
    }

    @Test
    void pendingToRejectedAndBack() {
        String id = Api.create(pat, Api.eventBody("submit", true));
        legal(ada, id, "reject", "REJECTED");
        illegal(ada, id, "approve", "REJECTED");
        illegal(ada, id, "reject", "REJECTED");
        legal(pat, id, "submit", "PENDING_APPROVAL");
    }

    @Test
    void fromApproved() {
        String id = Api.approvedEvent(pat, 5);
        illegal(pat, id, "submit", "APPROVED");
        illegal(ada, id, "approve", "APPROVED");
        illegal(ada, id, "reject", "APPROVED");
        legal(pat, id, "cancel", "CANCELLED");
    }

    @Test
    void cancelledIsFinal() {
        for (String start : new String[] { "draft", "pending", "rejected" }) {
            String id = Api.create(pat, Api.eventBody("submit", !start.equals("draft")));
            if (start.equals("rejected")) {
                legal(ada, id, "reject", "REJECTED");
            }
            legal(pat, id, "cancel", "CANCELLED");
            illegal(pat, id, "cancel", "CANCELLED");
            illegal(pat, id, "submit", "CANCELLED");
            illegal(ada, id, "approve", "CANCELLED");
            long version = pat.req().get("/api/events/" + id).then().extract().<Integer>path("version");
            pat.req().header("If-Match", "\"" + version + "\"").body(Api.eventBody()).put("/api/events/" + id).then()
                    .statusCode(409).body("currentStatus", equalTo("CANCELLED"));
        }
    }

    private static void legal(Persona who, String id, String action, String expected) {
        var req = who.req();
        if (action.equals("reject")) {
            req = req.body("{\"reason\":\"Needs a venue address\"}");
        }
        req.post("/api/events/" + id + "/" + action).then().statusCode(200).body("status", equalTo(expected));
    }

    private static void illegal(Persona who, String id, String action, String current) {
        var req = who.req();
        if (action.equals("reject")) {
            req = req.body("{\"reason\":\"Needs a venue address\"}");
        }
        req.post("/api/events/" + id + "/" + action).then().statusCode(409)
                .contentType("application/problem+json")
                .body("currentStatus", equalTo(current))
                .body("detail", containsString(current));
    }
}
