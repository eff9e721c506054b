package io.eventline.gateway.stream;

import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;

/** The SSE wire format: frames as the stream writes them. */
final class Sse {

    private Sse() {
    }

    /** {@code event: record}: the event line of every record frame of a {@link Frames#RECORD} stream. */
    static final byte[] RECORD_EVENT_LINE = eventLine("record");

    /** {@code event: <event>\n}. */
    static byte[] eventLine(String event) {
        return ("event: " + event + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code data: <json>\n\n}. JSON cannot hold a raw line break inside a string, so any CR or LF
     * in it is insignificant whitespace and becomes a space: the data stays one line and the same JSON.
     */
    static byte[] dataLines(String json) {
        String data = json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0 ? json.replace('\n', ' ').replace('\r', ' ') : json;
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** {@code id: <cursor>} followed by the event line and the data lines. */
    static Buffer frame(String cursor, byte[] eventLine, byte[] dataLines) {
        byte[] id = ("id: " + cursor + "\n").getBytes(StandardCharsets.US_ASCII);
        return Buffer.buffer(id.length + eventLine.length + dataLines.length).appendBytes(id).appendBytes(eventLine)
                .appendBytes(dataLines);
    }

    /** A record's frame for a stream that names its record frames {@code frames}. */
    static Buffer frame(String cursor, Change change, Frames frames) {
        return frame(cursor, frames == Frames.RECORD ? RECORD_EVENT_LINE : change.eventLine, change.dataLines);
    }

    static Buffer frame(String cursor, String event, String json) {
        return frame(cursor, eventLine(event), dataLines(json));
    }

    /** The first frame of every stream: the reconnection hint, then {@code event: ready}. */
    static Buffer ready(long retryMillis, String cursor, boolean resumed) {
        return Buffer.buffer("retry: " + retryMillis + "\n").appendBuffer(
                frame(cursor, "ready", "{\"cursor\":\"" + cursor + "\",\"resumed\":" + resumed + "}"));
    }

    static Buffer reset(String cursor, String reason) {
        return frame(cursor, "reset", "{\"cursor\":\"" + cursor + "\",\"reason\":\"" + reason + "\"}");
    }

    static Buffer heartbeat(String cursor) {
        return frame(cursor, "heartbeat", "{}");
    }

    static Buffer expired() {
        return Buffer.buffer("event: expired\ndata: {}\n\n");
    }
}
