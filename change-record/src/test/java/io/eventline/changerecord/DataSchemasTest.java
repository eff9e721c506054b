package io.eventline.changerecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** A producer's record is read strictly; the published schema stays open for consumers. */
class DataSchemasTest {

    private static final String BOOKING = "/schemas/booking.json";

    private static String booking(String extra, String status) {
        return """
                {"id":"1b4e28ba-2fa1-11d2-883f-0016d3cca427","eventId":"1b4e28ba-2fa1-11d2-883f-0016d3cca428",
                 "userId":"uma","seats":2,"status":"%s","version":1,"createdAt":"2026-12-03T10:00:00Z",%s
                 "event":{"title":"t","venue":"v","startsAt":"2026-12-04T10:00:00Z","endsAt":"2026-12-04T12:00:00Z",
                          "status":"APPROVED","capacity":10,"seatsBooked":2}}
                """.formatted(status, extra);
    }

    @Test
    void aRecordTheSchemaDescribesPassesBothReadings() {
        assertEquals(Set.of(), DataSchemas.strictViolations(BOOKING, booking("", "CONFIRMED")));
        assertEquals(Set.of(), DataSchemas.publishedViolations(BOOKING, booking("", "CONFIRMED")));
    }

    @Test
    void aFieldTheSchemaDoesNotNameIsAProducersMistakeButNotAConsumersProblem() {
        String extra = booking("\"note\":\"new\",", "CONFIRMED");
        Set<String> strict = DataSchemas.strictViolations(BOOKING, extra);
        assertTrue(strict.stream().anyMatch(v -> v.contains("note")), strict::toString);
        assertEquals(Set.of(), DataSchemas.publishedViolations(BOOKING, extra));
    }

    @Test
    void anEnumValueTheSchemaDoesNotNameIsAProducersMistakeButNotAConsumersProblem() {
        String waitlisted = booking("", "WAITLISTED");
        Set<String> strict = DataSchemas.strictViolations(BOOKING, waitlisted);
        assertTrue(strict.stream().anyMatch(v -> v.contains("status")), strict::toString);
        assertEquals(Set.of(), DataSchemas.publishedViolations(BOOKING, waitlisted));
    }

    @Test
    void theStrictReadingReachesReferencedSchemasAndNestedObjects() {
        // booking.event.status is a $ref into event.json; booking.event is a nested object
        String nestedEnum = booking("", "CONFIRMED").replace("\"APPROVED\"", "\"ARCHIVED\"");
        assertFalse(DataSchemas.strictViolations(BOOKING, nestedEnum).isEmpty(), "an enum value of a referenced schema");
        String nestedField = booking("", "CONFIRMED").replace("\"capacity\":10", "\"capacity\":10,\"room\":\"A\"");
        assertFalse(DataSchemas.strictViolations(BOOKING, nestedField).isEmpty(), "a field of a nested object");
    }

    @Test
    void aWrongTypeFailsBothReadings() {
        String wrong = booking("", "CONFIRMED").replace("\"seats\":2", "\"seats\":\"two\"");
        assertFalse(DataSchemas.strictViolations(BOOKING, wrong).isEmpty());
        assertFalse(DataSchemas.publishedViolations(BOOKING, wrong).isEmpty());
    }

    @Test
    void aTypeIsReadAgainstItsPublishedSchema() {
        assertEquals(Set.of(), DataSchemas.violations("booking.confirmed", booking("\"note\":\"new\",", "WAITLISTED")));
        Set<String> missing = DataSchemas.violations("booking.confirmed", booking("", "CONFIRMED").replace("\"userId\":\"uma\",", ""));
        assertTrue(missing.stream().anyMatch(v -> v.contains("userId")), missing::toString);
    }

    @Test
    void dataThatIsNotJsonIsAViolationAndAnUnknownTypeIsRefused() {
        assertFalse(DataSchemas.violations("booking.confirmed", "{not json").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> DataSchemas.violations("booking.waitlisted", "{}"));
    }
}
