package io.eventline.gateway.stream;

import java.nio.charset.StandardCharsets;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;

/**
 * One change record as the stream sends it: where it sits in Kafka, who may see it, when it passed
 * each hop, and its SSE lines without the {@code id:} (which depends on where the receiving stream
 * stands). Immutable once built; the history keeps it for replays.
 */
final class Change {

    final int slot;
    final long offset;
    /** When the owning service wrote the record into its outbox (the CloudEvent's {@code time}), epoch millis. */
    final long writtenAt;
    /** The Kafka record's timestamp (the relay's produce time), epoch millis: delivery latency counts from here. */
    final long timestamp;
    /** When the dispatcher received it from Kafka, epoch millis (0 for records a replay read). */
    final long receivedAt;
    final String type;
    final Audience audience;
    /** {@code event: <type>\n}; a {@link Frames#RECORD} stream sends {@link Sse#RECORD_EVENT_LINE} instead. */
    final byte[] eventLine;
    /** {@code data: <structured CloudEvent>\n\n}, the same for either naming of the frame. */
    final byte[] dataLines;

    Change(int slot, long offset, long timestamp, long receivedAt, ChangeRecord record) {
        this.slot = slot;
        this.offset = offset;
        this.writtenAt = record.time().toEpochMilli();
        this.timestamp = timestamp;
        this.receivedAt = receivedAt;
        this.type = record.type();
        this.audience = record.audience();
        this.eventLine = Sse.eventLine(record.type());
        this.dataLines = Sse.dataLines(record.toStructuredJson());
    }

    @Override
    public String toString() {
        return type + "@" + slot + ":" + offset + " " + new String(dataLines, 0, Math.min(dataLines.length, 60), StandardCharsets.UTF_8);
    }
}
