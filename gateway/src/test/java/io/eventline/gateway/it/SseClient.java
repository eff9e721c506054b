package io.eventline.gateway.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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

import io.vertx.core.json.JsonObject;

/**
 * A test client for {@code text/event-stream} over real HTTP, parsing the wire format as the
 * WHATWG EventSource does: {@code field: value} lines, one leading space stripped, {@code data}
 * lines joined, a blank line dispatches, {@code id} sticks until changed, comments ignored.
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
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String event = null;
            StringBuilder data = null;
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(lastId, event == null ? "message" : event, data.toString()));
                    }
                    event = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "event" -> event = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    case "id" -> {
                        if (value.indexOf('\0') < 0) {
                            lastId = value;
                        }
                    }
                    case "retry" -> {
                        if (value.matches("\\d+")) {
                            retry = Integer.parseInt(value);
                        }
                    }
                    default -> {
                        // ignored, as the spec says
                    }
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
                if (!e.event().equals("heartbeat")) {
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
