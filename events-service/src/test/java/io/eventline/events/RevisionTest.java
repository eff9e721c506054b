package io.eventline.events;

import static io.eventline.testsupport.TopicReader.header;
import static io.eventline.testsupport.TopicReader.key;
import static io.eventline.testsupport.TopicReader.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventline.events.Api.Persona;
import io.eventline.testsupport.LocalStackTestResource;
import io.eventline.testsupport.TopicReader;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Approval integrity: once an admin approved an event, the public only ever sees content an admin
 * approved. Content changes wait as a revision; capacity is operational.
 */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "events"))
class RevisionTest {

    TopicReader reader;
    /** The content every event of a test is approved with (one instant, so "unchanged" is exact). */
    Map<String, Object> original;

    @BeforeEach
    void open() {
        reader = new TopicReader("eventline.events");
        original = Api.eventBody();
    }

    @AfterEach
    void close() {
        reader.close();
    }

    @Test
    void aContentChangeToAnApprovedEventWaitsForReviewWhileTheApprovedVersionStaysPublic() {
        Persona pat = Api.partner();
        String id = approved(pat);
        long v = version(pat, id);

        pat.req().header("If-Match", tag(v)).body(changed()).put("/api/events/" + id).then().statusCode(200)
                .header("ETag", tag(v + 1))
                .body("status", equalTo("APPROVED"))
                .body("title", equalTo("Jazz Night"))
                .body("revision.status", equalTo("PENDING"))
                .body("revision.title", equalTo("Jazz Night — late show"))
                .body("revision.venue", equalTo("Green Hall"));

        // the public: the approved content, no trace of the revision, and still bookable
        Persona uma = Api.user();
        uma.req().get("/api/events/" + id).then().statusCode(200).body("title", equalTo("Jazz Night"))
                .body("venue", equalTo("Blue Room")).body("$", not(org.hamcrest.Matchers.hasKey("revision")));
        uma.req().queryParam("limit", 100).get("/api/events").then().statusCode(200)
                .body("items.find { it.id == '" + id + "' }.title", equalTo("Jazz Night"))
                .body("items.find { it.id == '" + id + "' }.revision", nullValue());
        uma.req().body("{\"seats\":2}").post("/api/events/" + id + "/bookings").then().statusCode(201);

        // the partner sees both versions in My Events; the admin has it in the review queue
        pat.req().queryParam("limit", 100).get("/api/events/mine").then().statusCode(200)
                .body("items.find { it.id == '" + id + "' }.title", equalTo("Jazz Night"))
                .body("items.find { it.id == '" + id + "' }.revision.title", equalTo("Jazz Night — late show"));
        Api.admin().req().queryParam("limit", 100).get("/api/events/review").then().statusCode(200)
                .body("items.id", hasItem(id))
                .body("items.find { it.id == '" + id + "' }.revision.status", equalTo("PENDING"));
    }

    @Test
    void approvingTheRevisionPublishesItAndTakesItOutOfTheQueue() {
        Persona pat = Api.partner();
        String id = approved(pat);
        long v = revise(pat, id);

        Api.admin().req().header("If-Match", tag(v)).post("/api/events/" + id + "/revision/approve").then()
                .statusCode(200).header("ETag", tag(v + 1))
                .body("title", equalTo("Jazz Night — late show")).body("venue", equalTo("Green Hall"))
                .body("revision", nullValue()).body("status", equalTo("APPROVED"));

        Api.user().req().get("/api/events/" + id).then().statusCode(200).body("title", equalTo("Jazz Night — late show"));
        Api.admin().req().queryParam("limit", 100).get("/api/events/review").then().statusCode(200)
                .body("items.id", not(hasItem(id)));
        // approving what no longer exists: a clear 404, nothing changes
        problem(Api.admin().req().post("/api/events/" + id + "/revision/approve").then(), 404);
        problem(Api.admin().req().body("{\"reason\":\"late\"}").post("/api/events/" + id + "/revision/reject").then(), 404);
        assertThat(version(pat, id)).isEqualTo(v + 1);
    }

    @Test
    void rejectingTheRevisionKeepsTheApprovedVersionAndTellsThePartnerWhy() {
        Persona pat = Api.partner();
        String id = approved(pat);
        long v = revise(pat, id);

        Api.admin().req().header("If-Match", tag(v)).body("{\"reason\":\"The venue is not confirmed\"}")
                .post("/api/events/" + id + "/revision/reject").then().statusCode(200)
                .body("title", equalTo("Jazz Night")).body("revision.status", equalTo("REJECTED"))
                .body("revision.rejectionReason", equalTo("The venue is not confirmed"));

        pat.req().get("/api/events/" + id).then().statusCode(200).body("venue", equalTo("Blue Room"))
                .body("revision.status", equalTo("REJECTED")).body("revision.venue", equalTo("Green Hall"));
        Api.user().req().get("/api/events/" + id).then().statusCode(200).body("venue", equalTo("Blue Room"))
                .body("$", not(org.hamcrest.Matchers.hasKey("revision")));
        Api.admin().req().queryParam("limit", 100).get("/api/events/review").then().statusCode(200)
                .body("items.id", not(hasItem(id)));
    }

    @Test
    void capacityIsOperationalAndNeverBelowTheSeatsBooked() {
        Persona pat = Api.partner();
        String id = approved(pat);
        Api.user().req().body("{\"seats\":5}").post("/api/events/" + id + "/bookings").then().statusCode(201);
        long v = version(pat, id);

        pat.req().header("If-Match", tag(v)).body(with(original, "capacity", 80)).put("/api/events/" + id).then()
                .statusCode(200).body("capacity", equalTo(80)).body("revision", nullValue());
        Api.user().req().get("/api/events/" + id).then().body("capacity", equalTo(80));

        long before = Api.storedRows();
        problem(pat.req().header("If-Match", tag(v + 1)).body(with(original, "capacity", 4)).put("/api/events/" + id)
                .then(), 409).body("seatsBooked", equalTo(5));
        assertThat(version(pat, id)).isEqualTo(v + 1);
        assertThat(Api.storedRows()).isEqualTo(before);
    }

    @Test
    void aRevisionThatBreaksTheEventRulesIsRefusedAndNothingIsWritten() {
        Persona pat = Api.partner();
        String id = approved(pat);
        long v = version(pat, id);
        Map<String, Object> endsFirst = changed("endsAt",
                Instant.parse((String) original.get("startsAt")).minus(1, ChronoUnit.HOURS).toString());
        Map<String, Object> inThePast = changed("startsAt", Instant.now().minus(1, ChronoUnit.DAYS).toString());

        problem(pat.req().header("If-Match", tag(v)).body(endsFirst).put("/api/events/" + id).then(), 400);
        problem(pat.req().header("If-Match", tag(v)).body(inThePast).put("/api/events/" + id).then(), 400);
        pat.req().get("/api/events/" + id).then().statusCode(200).header("ETag", tag(v)).body("revision", nullValue());
        reader.await(key(id), 3, Duration.ofSeconds(20)); // created, submitted, approved: nothing since
        assertThat(reader.readToEnd(key(id))).extracting(r -> header(r, "ce_type"))
                .containsExactly("event.created", "event.submitted", "event.approved");
    }

    @Test
    void aStaleApprovalIsRefusedSoAnAdminApprovesExactlyWhatTheyReviewed() {
        Persona pat = Api.partner();
        Persona ada = Api.admin();
        // a new event: edited while in review, it stays in review, and the old version cannot be approved
        String id = Api.create(pat, with(original, "submit", true));
        long reviewed = version(ada, id);
        pat.req().header("If-Match", tag(reviewed)).body(with(original, "title", "Jazz Night (changed)"))
                .put("/api/events/" + id).then().statusCode(200).body("status", equalTo("PENDING_APPROVAL"));
        problem(ada.req().header("If-Match", tag(reviewed)).post("/api/events/" + id + "/approve").then(), 412);
        problem(ada.req().header("If-Match", tag(reviewed)).body("{\"reason\":\"no\"}")
                .post("/api/events/" + id + "/reject").then(), 412);
        ada.req().header("If-Match", tag(reviewed + 1)).post("/api/events/" + id + "/approve").then().statusCode(200)
                .body("title", equalTo("Jazz Night (changed)"));

        // a revision replaced after the admin opened it
        long v = revise(pat, id);
        Map<String, Object> again = changed("title", "Jazz Night — final");
        pat.req().header("If-Match", tag(v)).body(again).put("/api/events/" + id).then().statusCode(200);
        problem(ada.req().header("If-Match", tag(v)).post("/api/events/" + id + "/revision/approve").then(), 412);
        Api.user().req().get("/api/events/" + id).then().body("title", equalTo("Jazz Night (changed)"));
    }

    @Test
    void twoConcurrentRevisionsOneWinsAndOneGets412() throws Exception {
        Persona pat = Api.partner();
        String id = approved(pat);
        long v = version(pat, id);
        Map<String, Object> a = changed();
        Map<String, Object> b = changed("title", "Jazz Night — matinee");
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Integer>> answers = new ArrayList<>();
        for (Map<String, Object> body : List.of(a, b)) {
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return pat.req().header("If-Match", tag(v)).body(body).put("/api/events/" + id).statusCode();
            }));
        }
        go.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<Integer> f : answers) {
            statuses.add(f.get(30, TimeUnit.SECONDS));
        }
        assertThat(statuses).containsExactlyInAnyOrder(200, 412);
        assertThat(version(pat, id)).isEqualTo(v + 1);
    }

    @Test
    void putTheApprovedContentBackAndTheRevisionIsWithdrawn() {
        Persona pat = Api.partner();
        String id = approved(pat);
        long v = revise(pat, id);
        pat.req().header("If-Match", tag(v)).body(original).put("/api/events/" + id).then().statusCode(200)
                .body("revision", nullValue()).header("ETag", tag(v + 1));
        Api.admin().req().queryParam("limit", 100).get("/api/events/review").then().body("items.id", not(hasItem(id)));
        problem(Api.admin().req().post("/api/events/" + id + "/revision/approve").then(), 404);
    }

    @Test
    void noPublicRecordEverCarriesUnreviewedContent() throws Exception {
        Persona pat = Api.partner();
        String id = approved(pat);                                   // created, submitted, approved
        long v = revise(pat, id);                                                 // revision-submitted
        pat.req().header("If-Match", tag(v)).body(changed("capacity", 70)).put("/api/events/" + id).then()
                .statusCode(200);                                                 // updated (public), same revision kept
        Api.admin().req().body("{\"reason\":\"Not yet\"}").post("/api/events/" + id + "/revision/reject").then()
                .statusCode(200);                                                 // revision-rejected
        long w = version(pat, id);
        pat.req().header("If-Match", tag(w)).body(changed("capacity", 70)).put("/api/events/" + id).then()
                .statusCode(200);                                                 // revision-submitted again
        Api.admin().req().post("/api/events/" + id + "/revision/approve").then().statusCode(200); // revision-approved

        String partnerAndAdmins = "role:admin,user:" + pat.sub();
        reader.await(key(id), 8, Duration.ofSeconds(20));
        List<ConsumerRecord<String, byte[]>> records = reader.readToEnd(key(id));
        assertThat(records).extracting(r -> header(r, "ce_type") + " " + header(r, "ce_audience")).containsExactly(
                "event.created user:" + pat.sub(),
                "event.submitted " + partnerAndAdmins,
                "event.approved public",
                "event.revision-submitted " + partnerAndAdmins,
                "event.updated public",
                "event.revision-rejected " + partnerAndAdmins,
                "event.revision-submitted " + partnerAndAdmins,
                "event.revision-approved public");
        ObjectMapper json = new ObjectMapper();
        for (ConsumerRecord<String, byte[]> r : records) {
            JsonNode d = json.readTree(r.value());
            assertThat(io.eventline.changerecord.DataSchemas.strictViolations(
                    io.eventline.changerecord.RecordTypes.schemaOf(header(r, "ce_type")), value(r)))
                    .as(header(r, "ce_type")).isEmpty();
            if (header(r, "ce_audience").equals("public")) {
                assertThat(d.has("revision")).as(header(r, "ce_type")).isFalse();
                boolean approvedRevision = header(r, "ce_type").equals("event.revision-approved");
                assertThat(d.get("title").asText()).as(header(r, "ce_type"))
                        .isEqualTo(approvedRevision ? "Jazz Night — late show" : "Jazz Night");
            }
        }
        assertThat(json.readTree(records.get(4).value()).get("capacity").asInt()).isEqualTo(70);
        assertThat(json.readTree(records.get(3).value()).at("/revision/title").asText()).isEqualTo("Jazz Night — late show");
    }

    @Test
    void aUserOrAPartnerCannotApproveARevision() {
        Persona pat = Api.partner();
        String id = approved(pat);
        revise(pat, id);
        pat.req().post("/api/events/" + id + "/revision/approve").then().statusCode(403);
        Api.user().req().post("/api/events/" + id + "/revision/approve").then().statusCode(403);
        assertThat(QuarkusTransaction.requiringNew().call(() -> Event.<Event>findById(java.util.UUID.fromString(id))
                .hasPendingRevision())).isTrue();
    }

    /** Creates, submits and approves an event with the {@link #original} content; returns its id. */
    private String approved(Persona partner) {
        String id = Api.create(partner, original);
        partner.req().post("/api/events/" + id + "/submit").then().statusCode(200);
        Api.admin().req().post("/api/events/" + id + "/approve").then().statusCode(200);
        return id;
    }

    /** A content change of the original: new title and venue. */
    private Map<String, Object> changed() {
        return with(with(original, "title", "Jazz Night — late show"), "venue", "Green Hall");
    }

    private Map<String, Object> changed(String key, Object value) {
        return with(changed(), key, value);
    }

    private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        Map<String, Object> copy = new java.util.HashMap<>(body);
        copy.put(key, value);
        return copy;
    }

    /** Submits the {@link #changed()} revision; returns the event's version after it. */
    private long revise(Persona partner, String id) {
        long v = version(partner, id);
        partner.req().header("If-Match", tag(v)).body(changed()).put("/api/events/" + id).then().statusCode(200)
                .body("revision.status", equalTo("PENDING"));
        return v + 1;
    }

    private static long version(Persona who, String id) {
        return who.req().get("/api/events/" + id).then().statusCode(200).extract().<Number>path("version").longValue();
    }

    private static String tag(long version) {
        return "\"" + version + "\"";
    }

    private static ValidatableResponse problem(ValidatableResponse r, int status) {
        return r.statusCode(status).contentType("application/problem+json").body("status", equalTo(status));
    }
}
