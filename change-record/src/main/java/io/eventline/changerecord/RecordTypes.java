package io.eventline.changerecord;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every Eventline {@code ce_type}, the JSON Schema of its data (shipped in this library under
 * {@code /schemas/}) and the schema's major version, which {@code ce_dataschema} names.
 *
 * <p>The schemas are the source: each lists its types ({@code x-record-types}) and its version
 * ({@code x-version}). This catalogue repeats them for Java callers, and {@code RecordCatalogueTest}
 * fails the build when it, the schemas and {@code docs/asyncapi.yaml} disagree. How a type or a
 * version changes: docs/change-feed.md, "Changing a record type".
 */
public final class RecordTypes {

    /** Where {@code ce_dataschema} URIs start: {@code <base><type>/v<version>.json}. */
    public static final String DATASCHEMA_BASE = "https://eventline.dev/schemas/";

    private record Entry(String schema, int version) {
    }

    private static final Map<String, Entry> TYPES = new LinkedHashMap<>();

    static {
        for (String t : new String[] { "created", "updated", "submitted", "approved", "rejected", "cancelled",
                "revision-submitted", "revision-withdrawn", "revision-approved", "revision-rejected" }) {
            TYPES.put("event." + t, new Entry("/schemas/event.json", 1));
        }
        TYPES.put("booking.confirmed", new Entry("/schemas/booking.json", 1));
        TYPES.put("booking.cancelled", new Entry("/schemas/booking.json", 1));
        TYPES.put("conversation.created", new Entry("/schemas/conversation.json", 1));
        TYPES.put("message.sent", new Entry("/schemas/message.json", 1));
        TYPES.put("conversation.read", new Entry("/schemas/conversation-read.json", 1));
        TYPES.put("notification.created", new Entry("/schemas/notification.json", 1));
        TYPES.put("notification.read", new Entry("/schemas/notification.json", 1));
        TYPES.put("notification.read-all", new Entry("/schemas/notification-read-all.json", 1));
    }

    private RecordTypes() {
    }

    public static Set<String> all() {
        return TYPES.keySet();
    }

    /** The classpath location of the schema of {@code type}'s data. */
    public static String schemaOf(String type) {
        return entry(type).schema();
    }

    /** The major version of {@code type}'s data schema (its {@code x-version}). */
    public static int versionOf(String type) {
        return entry(type).version();
    }

    /**
     * The {@code ce_dataschema} of a record of {@code type}, e.g.
     * {@code https://eventline.dev/schemas/event.approved/v1.json}; empty for a type that is not
     * Eventline's (tests and benchmarks publish such records).
     */
    public static Optional<String> dataSchemaOf(String type) {
        Entry e = TYPES.get(type);
        return e == null ? Optional.empty() : Optional.of(DATASCHEMA_BASE + type + "/v" + e.version() + ".json");
    }

    private static Entry entry(String type) {
        Entry e = TYPES.get(type);
        if (e == null) {
            throw new IllegalArgumentException("not an Eventline record type: " + type);
        }
        return e;
    }
}
