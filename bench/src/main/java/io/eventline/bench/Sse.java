package io.eventline.bench;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Many SSE streams over one Vert.x {@link HttpClient}: one connection per stream, no thread per
 * connection, events parsed from the raw bytes as they arrive (the EventSource rules that matter
 * here: {@code id:}, {@code event:}, {@code data:} lines, a blank line ends an event, comments and
 * {@code retry:} ignored).
 */
final class Sse {

    record Event(String id, String event, String data) {
    }

    interface Listener {
        /** On the client's event loop; {@code nanos} is System.nanoTime() when the bytes arrived. */
        void onEvent(Stream stream, Event event, long nanos);

        default void onClose(Stream stream) {
        }
    }

    /** One open stream. */
    static final class Stream {
        final int index;
        final String user;
        volatile String lastId;
        volatile HttpClientResponse response;
        volatile boolean closed;
        final AtomicInteger events = new AtomicInteger();
        private final StringBuilder line = new StringBuilder();
        private String id;
        private String event;
        private StringBuilder data;

        Stream(int index, String user) {
            this.index = index;
            this.user = user;
        }

        void close() {
            closed = true;
            HttpClientResponse r = response;
            if (r != null) {
                r.request().connection().close();
            }
        }

        /** Feeds bytes; calls the listener for each complete event. */
        void feed(Buffer buffer, Listener listener, long nanos) {
            String chunk = buffer.toString(StandardCharsets.UTF_8);
            for (int i = 0; i < chunk.length(); i++) {
                char c = chunk.charAt(i);
                if (c == '\n') {
                    int n = line.length();
                    if (n > 0 && line.charAt(n - 1) == '\r') {
                        line.setLength(n - 1);
                    }
                    endLine(listener, nanos);
                    line.setLength(0);
                } else {
                    line.append(c);
                }
            }
        }

        private void endLine(Listener listener, long nanos) {
            if (line.isEmpty()) {
                if (data != null || event != null) {
                    Event e = new Event(id, event == null ? "message" : event, data == null ? "" : data.toString());
                    if (id != null) {
                        lastId = id;
                    }
                    events.incrementAndGet();
                    listener.onEvent(this, e, nanos);
                } else if (id != null) {
                    lastId = id; // an id-only event (a heartbeat's cursor) still moves the resume point
                }
                id = null;
                event = null;
                data = null;
                return;
            }
            if (line.charAt(0) == ':') {
                return;
            }
            int colon = line.indexOf(":");
            String field = colon < 0 ? line.toString() : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + (colon + 1 < line.length() && line.charAt(colon + 1) == ' ' ? 2 : 1));
            switch (field) {
                case "id" -> id = value;
                case "event" -> event = value;
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        data.append('\n').append(value);
                    }
                }
                default -> {
                    // retry and unknown fields
                }
            }
        }
    }

    private final HttpClient client;

    Sse(HttpClient client) {
        this.client = client;
    }

    /** Opens a stream; the future fails on a connection error or a status other than 200. */
    Future<Stream> open(Stream stream, int port, String uri, Map<String, String> headers, Listener listener) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
                .setURI(uri).putHeader("Accept", "text/event-stream");
        headers.forEach(options::putHeader);
        Promise<Stream> opened = Promise.promise();
        client.request(options).compose(r -> r.send()).onComplete(ar -> {
            if (ar.failed()) {
                opened.fail(ar.cause());
                return;
            }
            HttpClientResponse response = ar.result();
            if (response.statusCode() != 200) {
                response.body().onComplete(b -> opened.fail(new IllegalStateException("HTTP " + response.statusCode()
                        + (b.succeeded() ? " " + b.result().toString() : ""))));
                return;
            }
            stream.response = response;
            stream.line.setLength(0);
            response.handler(b -> stream.feed(b, listener, System.nanoTime()));
            response.exceptionHandler(e -> {
            });
            java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
            Runnable end = () -> {
                if (ended.compareAndSet(false, true)) {
                    listener.onClose(stream);
                }
            };
            response.endHandler(v -> end.run());
            response.request().connection().closeHandler(v -> end.run());
            opened.complete(stream);
        });
        return opened.future();
    }
}
