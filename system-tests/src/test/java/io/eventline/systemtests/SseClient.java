package io.eventline.systemtests;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.eventline.testsupport.sse.SseParser;
import io.vertx.core.json.JsonObject;

/**
 * A test client for {@code text/event-stream} over real HTTP; the wire format is parsed as the
 * WHATWG EventSource does by test-support's {@link SseParser} (see there for the rules).
 */
public final class SseClient implements AutoCloseable {

    /** One dispatched event; {@code id} is the last event id at that moment. */
    public record Event(String id, String event, String data) {
        public JsonObject json() {
            return new JsonObject(data);
        }

        /** For change records: the record's {@code ce_id}. */
        public String recordId() {
            return json().getString("id");
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Event END = new Event(null, "<end>", null);

    private final int status;
    private final String contentType;
    private final java.net.http.HttpHeaders headers;
    private final String errorBody;
    private final InputStream body;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile String lastId;
    private volatile Integer retry;
    private volatile boolean ended;
    private volatile long endedAtNanos;

    private SseClient(HttpResponse<InputStream> response) throws IOException {
        this.status = response.statusCode();
        this.contentType = response.headers().firstValue("Content-Type").orElse("");
        this.headers = response.headers();
        this.body = response.body();
        if (status != 200) {
            this.errorBody = new String(body.readAllBytes(), StandardCharsets.UTF_8);
            this.ended = true;
            return;
        }
        this.errorBody = null;
        Thread.ofVirtual().name("sse-reader").start(this::read);
    }

    /** Opens {@code url} (a stream) with the given headers; returns once the response head has arrived. */
    public static SseClient open(String url, Map<String, String> headers) {
        // The timeout bounds the wait for the response head; the events are read with their own bounds.
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
                .header("Accept", "text/event-stream");
        headers.forEach(request::header);
        try {
            return new SseClient(HTTP.send(request.GET().build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot open " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static SseClient open(String url, String token, String lastEventId) {
        Map<String, String> headers = new java.util.LinkedHashMap<>();
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        if (lastEventId != null) {
            headers.put("Last-Event-ID", lastEventId);
        }
        return open(url, headers);
    }

    private void read() {
        SseParser parser = new SseParser(new SseParser.Listener() {
            @Override
            public void onEvent(String type, String data, String lastEventId) {
                lastId = lastEventId;
                events.add(new Event(lastEventId, type, data));
            }

            @Override
            public void onRetry(long millis) {
                if (millis <= Integer.MAX_VALUE) {
                    retry = (int) millis;
                }
            }
        });
        byte[] buffer = new byte[8192];
        try (InputStream in = body) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                parser.feed(buffer, 0, n);
                if (parser.lastEventId() != null) {
                    lastId = parser.lastEventId(); // an id-only block moves it too
                }
            }
        } catch (IOException e) {
            // closed by us or by the server
        } finally {
            endedAtNanos = System.nanoTime();
            ended = true;
            events.add(END);
        }
    }

    public int status() {
        return status;
    }

    public String contentType() {
        return contentType;
    }

    /** A header of the response, or null. */
    public String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    public String errorBody() {
        return errorBody;
    }

    public String lastId() {
        return lastId;
    }

    public Integer retry() {
        return retry;
    }

    /** The next event of any type, or null when the stream ended; fails after {@code timeout}. */
    public Event next(Duration timeout) {
        try {
            Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("no event within " + timeout);
            }
            if (e == END) {
                events.add(END);
                return null;
            }
            return e;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** The next event that is not a heartbeat. */
    public Event nextRecord(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e == null || !e.event().equals("heartbeat")) {
                return e;
            }
        }
    }

    /** Events (heartbeats left out) until one matches, that one included; fails after {@code timeout}. */
    public List<Event> until(Predicate<Event> last, Duration timeout) {
        List<Event> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching event within " + timeout + "; saw " + seen);
            }
            Event e = next(Duration.ofNanos(left));
            if (e == null) {
                throw new AssertionError("the stream ended before a matching event; saw " + seen);
            }
            if (e.event().equals("heartbeat")) {
                continue;
            }
            seen.add(e);
            if (last.test(e)) {
                return seen;
            }
        }
    }

    /** Every event (heartbeats left out) that arrives within {@code window}: for "nothing else came". */
    public List<Event> drain(Duration window) {
        return collect(window, false);
    }

    /** Every event, heartbeats included, that arrives within {@code window}. */
    public List<Event> all(Duration window) {
        return collect(window, true);
    }

    private List<Event> collect(Duration window, boolean heartbeats) {
        List<Event> seen = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return seen;
            }
            try {
                Event e = events.poll(left, TimeUnit.NANOSECONDS);
                if (e == null) {
                    return seen;
                }
                if (e == END) {
                    events.add(END);
                    return seen;
                }
                if (heartbeats || !e.event().equals("heartbeat")) {
                    seen.add(e);
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return seen;
            }
        }
    }

    /** When the stream ended ({@link System#nanoTime()}), once {@link #ended()}. */
    public long endedAtNanos() {
        return endedAtNanos;
    }

    /** Whether the server ended the stream. */
    public boolean ended() {
        return ended;
    }

    /** Waits until the server ends the stream. */
    public void awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stream did not end within " + timeout);
            }
            next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
