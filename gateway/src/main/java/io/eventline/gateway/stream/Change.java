package io.eventline.gateway.stream;

import java.nio.charset.StandardCharsets;

import io.eventline.changerecord.ChangeRecord;
import io.vertx.core.buffer.Buffer;

/**
 * One change record as the stream sends it: where it sits in Kafka, who may see it, and its SSE
 * lines without the {@code id:} (which depends on where the receiving stream stands).
 */
final class Change {

    final int slot;
    final long offset;
    /** The Kafka record's timestamp (the producer's time), for the delivery latency. */
    final long timestamp;
    final String type;
    final String[] audience;
    /** {@code event: <type>\n}; a {@link Frames#RECORD} stream sends {@link Sse#RECORD_EVENT_LINE} instead. */
    final byte[] eventLine;
    /** {@code data: <structured CloudEvent>\n\n}, the same for either naming of the frame. */
    final byte[] dataLines;
    /** This record's position in its partition's history ring; set when the history keeps it. */
    long sequence = -1;

    /**
     * Built once per naming by the dispatcher when the first live stream of that naming needs it:
     * id (the frontier after it) + event line + data lines.
     */
    Buffer sharedFrame;
    /** The same for the streams that name every record frame {@code record}. */
    Buffer sharedRecordFrame;

    Change(int slot, long offset, long timestamp, ChangeRecord record) {
        this.slot = slot;
        this.offset = offset;
        this.timestamp = timestamp;
        this.type = record.type();
        this.audience = record.audience().entries().toArray(String[]::new);
        this.eventLine = Sse.eventLine(record.type());
        this.dataLines = Sse.dataLines(record.toStructuredJson());
    }

    /** Whether a stream of {@code sub} in {@code role} may see this record. */
    boolean admits(String sub, String role) {
        for (String entry : audience) {
            if (entry.equals("public") || (entry.startsWith("user:") && entry.regionMatches(5, sub, 0, sub.length())
                    && entry.length() == 5 + sub.length()) || (entry.startsWith("role:") && entry.endsWith(role)
                            && entry.length() == 5 + role.length())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return type + "@" + slot + ":" + offset + " " + new String(dataLines, 0, Math.min(dataLines.length, 60), StandardCharsets.UTF_8);
    }
}
