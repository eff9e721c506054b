package io.eventline.events;

import static io.eventline.testsupport.TopicReader.header;
import static io.eventline.testsupport.TopicReader.key;
import static io.eventline.testsupport.TopicReader.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventline.events.Api.Persona;
import io.eventline.testsupport.LocalStackTestResource;
import io.eventline.testsupport.TopicReader;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** A consumer of eventline.events sees exactly one record per change: type, key, subject, audience, version. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "events"))
class ChangeRecordsTest {

    record Seen(String type, String subject, String audience, String version) {
    }

    TopicReader reader;

    @BeforeEach
    void open() {
        reader = new TopicReader("eventline.events");
    }

    @AfterEach
    void close() {
        reader.close();
    }

    @Test
    void everyKindOfChangeYieldsExactlyOneRecordInOrder() throws Exception {
        Persona pat = Api.partner();
        Persona uma = Api.user();
        Persona ada = Api.admin();
        String partner = "user:" + pat.sub();
        String private2 = "role:admin," + partner;
        String both = partner.compareTo("user:" + uma.sub()) < 0 ? partner + ",user:" + uma.sub()
                : "user:" + uma.sub() + "," + partner;

        String id = Api.create(pat, Api.eventBody());                                                   // v1
        pat.req().header("If-Match", "\"1\"").body(Api.eventBody("title", "Jazz Night II")).put("/api/events/" + id); // v2
        pat.req().post("/api/events/" + id + "/submit").then().statusCode(200);                         // v3
        ada.req().body("{\"reason\":\"Add an address\"}").post("/api/events/" + id + "/reject").then().statusCode(200); // v4
        pat.req().post("/api/events/" + id + "/submit").then().statusCode(200);                         // v5
        ada.req().post("/api/events/" + id + "/approve").then().statusCode(200);                        // v6
        pat.req().header("If-Match", "\"6\"").body(Api.eventBody("venue", "Green Hall")).put("/api/events/" + id)
                .then().statusCode(200);                                                                 // v7: a revision
        String b1 = uma.req().body("{\"seats\":2}").post("/api/events/" + id + "/bookings").then().statusCode(201)
                .extract().path("id");                                                                   // event v8
        uma.req().delete("/api/bookings/" + b1).then().statusCode(200);                                 // event v9
        String b2 = uma.req().body("{\"seats\":1}").post("/api/events/" + id + "/bookings").then().statusCode(201)
                .extract().path("id");                                                                   // event v10
        pat.req().post("/api/events/" + id + "/cancel").then().statusCode(200);                         // v11

        List<Seen> expected = List.of(
                new Seen("event.created", id, partner, "1"),
                new Seen("event.updated", id, partner, "2"),
                new Seen("event.submitted", id, private2, "3"),
                new Seen("event.rejected", id, private2, "4"),
                new Seen("event.submitted", id, private2, "5"),
                new Seen("event.approved", id, "public", "6"),
                new Seen("event.revision-submitted", id, private2, "7"),
                new Seen("booking.confirmed", b1, both, "1"),
                new Seen("booking.cancelled", b1, both, "2"),
                new Seen("booking.confirmed", b2, both, "1"),
                new Seen("event.cancelled", id, "public", "11"),
                new Seen("booking.cancelled", b2, both, "2"));
        reader.await(key(id), expected.size(), Duration.ofSeconds(20));
        List<ConsumerRecord<String, byte[]>> records = reader.readToEnd(key(id));
        assertThat(records.stream().map(r -> new Seen(header(r, "ce_type"), header(r, "ce_subject"),
                header(r, "ce_audience"), header(r, "ce_aggregateversion")))).containsExactlyElementsOf(expected);

        // The value is the full resource as the API returns it.
        ObjectMapper json = new ObjectMapper();
        JsonNode approved = json.readTree(records.get(5).value());
        assertThat(approved.get("status").asText()).isEqualTo("APPROVED");
        assertThat(approved.get("version").asLong()).isEqualTo(6);
        assertThat(approved.get("title").asText()).isEqualTo("Jazz Night II");
        JsonNode booking = json.readTree(records.get(7).value());
        assertThat(booking.get("eventId").asText()).isEqualTo(id);
        assertThat(booking.get("event").get("seatsBooked").asInt()).isEqualTo(2);
        assertThat(records).allSatisfy(r -> {
            assertThat(header(r, "ce_source")).isEqualTo("events-service");
            assertThat(header(r, "ce_specversion")).isEqualTo("1.0");
            assertThat(header(r, "content-type")).isEqualTo("application/json");
        });
        assertThat(records.stream().map(r -> header(r, "ce_id")).distinct()).hasSize(expected.size());
        // every value matches the JSON Schema change-feed publishes for its type
        assertThat(records).allSatisfy(r -> assertThat(io.eventline.changerecord.DataSchemas.strictViolations(
                io.eventline.changerecord.RecordTypes.schemaOf(header(r, "ce_type")), value(r))).as(header(r, "ce_type"))
                .isEmpty());
    }

    @Test
    void theSchemaCheckRejectsDataOfTheWrongShape() {
        String schema = io.eventline.changerecord.RecordTypes.schemaOf("event.approved");
        assertThat(io.eventline.changerecord.DataSchemas.strictViolations(schema, "{\"id\":\"not-a-uuid\",\"extra\":1}"))
                .isNotEmpty();
    }

    @Test
    void submittingOnCreateIsOneSubmittedRecordForPartnerAndAdmins() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody("submit", true));
        reader.await(key(id), 1, Duration.ofSeconds(20));
        List<ConsumerRecord<String, byte[]>> records = reader.readToEnd(key(id));
        assertThat(records).hasSize(1);
        assertThat(header(records.get(0), "ce_type")).isEqualTo("event.submitted");
        assertThat(header(records.get(0), "ce_audience")).isEqualTo("role:admin,user:" + pat.sub());
        assertThat(header(records.get(0), "ce_aggregateversion")).as("one change: created and submitted").isEqualTo("1");
    }

    @Test
    void aDraftCancelledBeforeApprovalStaysPrivate() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody());
        pat.req().post("/api/events/" + id + "/cancel").then().statusCode(200);
        reader.await(key(id), 2, Duration.ofSeconds(20));
        List<ConsumerRecord<String, byte[]>> records = reader.readToEnd(key(id));
        assertThat(records).extracting(r -> header(r, "ce_type") + " " + header(r, "ce_audience"))
                .containsExactly("event.created user:" + pat.sub(), "event.cancelled user:" + pat.sub());
        Api.user().req().get("/api/events/" + id).then().statusCode(404);
    }

    @Test
    void aRejectedRequestPublishesNothing() {
        Persona pat = Api.partner();
        String id = Api.create(pat, Api.eventBody());
        pat.req().body(Api.eventBody("capacity", 0)).header("If-Match", "\"1\"").put("/api/events/" + id).then()
                .statusCode(400);
        Api.admin().req().post("/api/events/" + id + "/approve").then().statusCode(409);
        pat.req().post("/api/events/" + id + "/submit").then().statusCode(200);
        reader.await(key(id), 2, Duration.ofSeconds(20));
        assertThat(reader.readToEnd(key(id))).extracting(r -> header(r, "ce_type"))
                .containsExactly("event.created", "event.submitted");
    }
}
