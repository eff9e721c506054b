package io.eventline.example.consumer;

import java.net.URI;
import java.time.OffsetDateTime;

/**
 * One change record, decoded by the CloudEvents SDK: where it was read, its attributes, and its
 * data bound to the class of its type ({@link Payloads}).
 */
public record Change(String topic, int partition, long offset, String key, String id, String type, String source,
        String subject, URI dataschema, OffsetDateTime time, String audience, Long aggregateVersion, Object data) {

    /** One line for the log. */
    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset + " " + type + " id=" + id + " subject=" + subject
                + " version=" + aggregateVersion + " dataschema=" + dataschema + " data=" + data;
    }
}
