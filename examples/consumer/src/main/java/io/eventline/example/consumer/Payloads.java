package io.eventline.example.consumer;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The data of each record type this consumer knows, bound to the few fields it uses. The full
 * shapes are the JSON Schemas named by {@code ce_dataschema} (docs/consuming.md).
 *
 * <p>Forward compatible on purpose: a field this consumer does not know is ignored (Jackson's
 * default would fail), enums are read as strings (a new status is a value, not an error), and a
 * type that is not in {@link #TYPES} is skipped by the consumer.
 */
public final class Payloads {

    public record Event(String id, String partnerId, String title, String venue, String startsAt, String status,
            int capacity, int seatsBooked, long version) {
    }

    public record Booking(String id, String eventId, String userId, int seats, String status, long version) {
    }

    public record Conversation(String id, String subject, String eventId, List<String> participants,
            String createdBy, long lastSeq) {
    }

    public record Message(String id, String conversationId, String senderId, String senderName, String body,
            long seq, String sentAt) {
    }

    public record ConversationRead(String conversationId, String userId, long readSeq, long unreadCount) {
    }

    public record Notification(String id, String type, String title, String body, Subject subject, boolean read,
            String createdAt, String sourceId) {

        public record Subject(String kind, String id) {
        }
    }

    public record NotificationReadAll(String userId, String readAt, long count) {
    }

    /** Every {@code ce_type} this consumer handles, and the class of its data. */
    public static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("event.created", Event.class),
            Map.entry("event.updated", Event.class),
            Map.entry("event.submitted", Event.class),
            Map.entry("event.approved", Event.class),
            Map.entry("event.rejected", Event.class),
            Map.entry("event.cancelled", Event.class),
            Map.entry("event.revision-submitted", Event.class),
            Map.entry("event.revision-withdrawn", Event.class),
            Map.entry("event.revision-approved", Event.class),
            Map.entry("event.revision-rejected", Event.class),
            Map.entry("booking.confirmed", Booking.class),
            Map.entry("booking.cancelled", Booking.class),
            Map.entry("conversation.created", Conversation.class),
            Map.entry("message.sent", Message.class),
            Map.entry("conversation.read", ConversationRead.class),
            Map.entry("notification.created", Notification.class),
            Map.entry("notification.read", Notification.class),
            Map.entry("notification.read-all", NotificationReadAll.class));

    /**
     * The data schema version this consumer reads. While a breaking change ships, Eventline writes
     * each change once per version (distinct {@code ce_id}s, one {@code ce_dataschema} each): a
     * consumer reads the version it knows and skips the other, as it skips an unknown type.
     */
    static final String DATASCHEMA_BASE = "https://eventline.dev/schemas/";
    static final int VERSION = 1;

    /** Whether a record of a known type is in the version this consumer reads (no ce_dataschema: v1). */
    static boolean knownVersion(String type, java.net.URI dataschema) {
        return dataschema == null
                ? VERSION == 1
                : dataschema.toString().equals(DATASCHEMA_BASE + type + "/v" + VERSION + ".json");
    }

    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Payloads() {
    }
}
