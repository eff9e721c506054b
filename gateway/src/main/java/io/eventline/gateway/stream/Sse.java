package io.eventline.gateway.stream;

import java.nio.charset.StandardCharsets;

import io.vertx.core.buffer.Buffer;

/** The SSE wire format: frames as the stream writes them. */
final class Sse {

    private Sse() {
    }

    /**
     * {@code event:} and {@code data:} lines of one event. JSON cannot hold a raw line break inside
     * a string, so any CR or LF in it is insignificant whitespace and becomes a space: the data stays
     * one line and the same JSON.
     */
    static byte[] eventLines(String event, String json) {
        String data = json.indexOf('\n') >= 0 || json.indexOf('\r') >= 0 ? json.replace('\n', ' ').replace('\r', ' ') : json;
        return ("event: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** {@code id: <cursor>} followed by the event's lines. */
    static Buffer frame(String cursor, byte[] lines) {
        byte[] id = ("id: " + cursor + "\n").getBytes(StandardCharsets.US_ASCII);
        return Buffer.buffer(id.length + lines.length).appendBytes(id).appendBytes(lines);
    }

    static Buffer frame(String cursor, String event, String json) {
        return frame(cursor, eventLines(event, json));
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
