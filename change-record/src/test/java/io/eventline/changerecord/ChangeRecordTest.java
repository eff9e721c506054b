package io.eventline.changerecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The envelope alone: binary-mode round trip, structured mode, and what a consumer rejects. */
class ChangeRecordTest {

    private final ChangeRecord record = new ChangeRecord(Topics.EVENTS, "e-1", "id-1", "events-service",
            "event.approved", "e-1", Instant.parse("2026-11-23T10:15:30.123456Z"), Audience.PUBLIC, 3,
            "{\"id\":\"e-1\",\"title\":\"Jazz \\\"Night\\\"\"}");

    @Test
    void binaryModeRoundTripsEveryAttribute() {
        assertThat(ChangeRecord.fromConsumerRecord(asConsumed(record.toProducerRecord()))).isEqualTo(record);
    }

    @Test
    void structuredModeIsACloudEventWithTheDataInline() throws Exception {
        JsonNode json = new ObjectMapper().readTree(record.toStructuredJson());
        assertThat(json.get("specversion").asText()).isEqualTo("1.0");
        assertThat(json.get("id").asText()).isEqualTo("id-1");
        assertThat(json.get("type").asText()).isEqualTo("event.approved");
        assertThat(json.get("subject").asText()).isEqualTo("e-1");
        assertThat(json.get("time").asText()).isEqualTo("2026-11-23T10:15:30.123456Z");
        assertThat(json.get("audience").asText()).isEqualTo("public");
        assertThat(json.get("aggregateversion").asLong()).isEqualTo(3);
        assertThat(json.get("dataschema").asText()).isEqualTo("https://eventline.dev/schemas/event.approved/v1.json");
        assertThat(json.get("data").get("title").asText()).isEqualTo("Jazz \"Night\"");
    }

    @Test
    void everyEventlineRecordNamesItsVersionedDataSchema() {
        for (String type : RecordTypes.all()) {
            ChangeRecord r = new ChangeRecord(Topics.EVENTS, "k", "id", "s", type, "k", Instant.EPOCH, Audience.PUBLIC, 1,
                    "{}");
            String expected = "https://eventline.dev/schemas/" + type + "/v" + RecordTypes.versionOf(type) + ".json";
            assertThat(new String(r.toProducerRecord().headers().lastHeader(ChangeRecord.H_DATASCHEMA).value(),
                    java.nio.charset.StandardCharsets.UTF_8)).as(type).isEqualTo(expected);
        }
        assertThat(new String(record.toProducerRecord().headers().lastHeader("ce_dataschema").value(),
                java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("https://eventline.dev/schemas/event.approved/v1.json");
    }

    @Test
    void aTypeThatIsNotEventlinesHasNoDataSchema() {
        ChangeRecord other = new ChangeRecord(Topics.EVENTS, "k", "id", "s", "widget.created", "k", Instant.EPOCH,
                Audience.PUBLIC, 1, "{}");
        assertThat(other.toProducerRecord().headers().lastHeader(ChangeRecord.H_DATASCHEMA)).isNull();
    }

    @Test
    void aRecordWithoutAnAudienceIsRejected() {
        ProducerRecord<String, byte[]> p = record.toProducerRecord();
        p.headers().remove(ChangeRecord.H_AUDIENCE);
        assertThatThrownBy(() -> ChangeRecord.fromConsumerRecord(asConsumed(p)))
                .isInstanceOf(InvalidChangeRecordException.class).hasMessageContaining("ce_audience");
    }

    @Test
    void aRecordWhoseValueIsNotJsonIsRejected() {
        ProducerRecord<String, byte[]> p = record.toProducerRecord();
        var garbled = new ProducerRecord<>(p.topic(), null, p.key(), "{not json".getBytes(), p.headers());
        assertThatThrownBy(() -> ChangeRecord.fromConsumerRecord(asConsumed(garbled)))
                .isInstanceOf(InvalidChangeRecordException.class);
    }

    @Test
    void aRecordWithAWidenedOrMalformedAudienceIsRejected() {
        for (String bad : new String[] { "*", "role:superuser", "user:", "public,user:a b", "" }) {
            ProducerRecord<String, byte[]> p = record.toProducerRecord();
            p.headers().remove(ChangeRecord.H_AUDIENCE).add(ChangeRecord.H_AUDIENCE, bad.getBytes());
            assertThatThrownBy(() -> ChangeRecord.fromConsumerRecord(asConsumed(p)))
                    .as(bad).isInstanceOf(InvalidChangeRecordException.class);
        }
    }

    private static ConsumerRecord<String, byte[]> asConsumed(ProducerRecord<String, byte[]> p) {
        return new ConsumerRecord<>(p.topic(), 0, 0L, 0L, TimestampType.CREATE_TIME, -1, p.value().length, p.key(),
                p.value(), new RecordHeaders(p.headers().toArray()), Optional.empty());
    }
}
