package io.eventline.bench;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.eventline.testsupport.sse.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Many SSE streams over one Vert.x {@link HttpClient}: one connection per stream, no thread per
 * connection, events parsed from the raw bytes as they arrive by test-support's {@link SseParser}
 * (the EventSource rules; {@code retry:} ignored here).
 */
final class Sse {

    /** One event; {@code id} is the stream's last event id when it was dispatched (null if none yet). */
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
        private final SseParser parser = new SseParser(this::dispatched);
        private Listener listener;
        private long nanos;

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
            this.listener = listener;
            this.nanos = nanos;
            parser.feed(buffer.getBytes());
            String id = parser.lastEventId();
            if (id != null) {
                lastId = id; // an id-only event (a heartbeat's cursor) still moves the resume point
            }
        }

        /** A new connection: a fresh stream to parse (the resume point, {@link #lastId}, stays). */
        void restart() {
            parser.reset();
        }

        private void dispatched(String type, String data, String lastEventId) {
            if (lastEventId != null) {
                lastId = lastEventId;
            }
            events.incrementAndGet();
            listener.onEvent(this, new Event(lastEventId, type, data), nanos);
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
            stream.restart();
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
