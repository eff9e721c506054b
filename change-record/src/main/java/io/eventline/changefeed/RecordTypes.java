package io.eventline.changefeed;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every {@code ce_type} of DESIGN.md section 4 and the JSON Schema of its data, as shipped in this
 * library under {@code /schemas/}. Consumers can validate against them; the services' tests do.
 */
public final class RecordTypes {

    private static final Map<String, String> SCHEMAS = new LinkedHashMap<>();

    static {
        for (String t : new String[] { "created", "updated", "submitted", "approved", "rejected", "cancelled",
                "revision-submitted", "revision-withdrawn", "revision-approved", "revision-rejected" }) {
            SCHEMAS.put("event." + t, "/schemas/event.json");
        }
        SCHEMAS.put("booking.confirmed", "/schemas/booking.json");
        SCHEMAS.put("booking.cancelled", "/schemas/booking.json");
        SCHEMAS.put("conversation.created", "/schemas/conversation.json");
        SCHEMAS.put("message.sent", "/schemas/message.json");
        SCHEMAS.put("conversation.read", "/schemas/conversation-read.json");
        SCHEMAS.put("notification.created", "/schemas/notification.json");
        SCHEMAS.put("notification.read", "/schemas/notification.json");
        SCHEMAS.put("notification.read-all", "/schemas/notification-read-all.json");
    }

    private RecordTypes() {
    }

    public static Set<String> all() {
        return SCHEMAS.keySet();
    }

    /** The classpath location of the schema of {@code type}'s data. */
    public static String schemaOf(String type) {
        String schema = SCHEMAS.get(type);
        if (schema == null) {
            throw new IllegalArgumentException("not an Eventline record type: " + type);
        }
        return schema;
    }
}
