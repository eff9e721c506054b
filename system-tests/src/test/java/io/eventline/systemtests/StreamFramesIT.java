package io.eventline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.localstack.LocalStack;
import io.vertx.core.json.JsonObject;

/**
 * {@code ?frames=}: the stream's raw lines, read with the JDK's HTTP client rather than the
 * project's SseClient. {@code frames=record} names every record frame {@code record} and changes
 * nothing else, live and in a replay from memory (gateway A) or from Kafka (gateway B); absent or
 * {@code typed}, the bytes are today's; anything else is a 400 that leaves the ticket unused.
 */
class StreamFramesIT extends AgainstCluster {

    private static final Duration READ = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** The event names a {@code frames=record} stream may send. */
    private static final Set<String> RECORD_NAMING = Set.of("event: ready", "event: heartbeat", "event: reset",
            "event: expired", "event: record");

    @Test
    void aLiveRecordIsNamedRecordOnlyWhenAskedAndOtherwiseByItsType() {
        Rest partner = new Rest(a, "partner");
        try (Raw typed = Raw.open(a, partner, "typed", null); Raw record = Raw.open(a, partner, "record", null);
                Raw absent = Raw.open(a, partner, null, null)) {
            for (Raw s : List.of(typed, record, absent)) {
                assertReady(s, false);
            }
            ChangeRecord sent;
            try (Producer producer = new Producer()) {
                sent = producer.send(partner.sub, 1).get(0);
            }
            List<String> t = typed.frameOf(sent.id());
            List<String> r = record.frameOf(sent.id());
            List<String> p = absent.frameOf(sent.id());

            assertThat(t).hasSize(3);
            assertThat(t.get(0)).startsWith("id: ");
            assertThat(t.get(1)).isEqualTo("event: " + sent.type());
            assertThat(t.get(2)).startsWith("data: {");
            assertThat(p).as("no frames= is frames=typed").isEqualTo(t);
            assertThat(r).as("the same frame, named record").containsExactly(t.get(0), "event: record", t.get(2));
            assertThat(data(r).getString("type")).isEqualTo(sent.type());
            assertThat(data(r).getString("id")).isEqualTo(sent.id());
            record.frameNamed("heartbeat"); // keeps its name (every 2 s in these tests)
        }
    }

    @Test
    void aReplayedRecordIsNamedAsTheResumingStreamAsksFromMemoryAndFromKafka() {
        Rest partner = new Rest(a, "partner");
        String cursorA;
        String cursorB;
        List<ChangeRecord> sent;
        try (Raw onA = Raw.open(a, partner, null, null); Raw onB = Raw.open(b, partner, null, null)) {
            cursorA = assertReady(onA, false);
            cursorB = assertReady(onB, false);
            try (Producer producer = new Producer()) {
                sent = producer.send(partner.sub, 6); // one partition: gateway B keeps 4 in memory, so it reads Kafka
            }
            onA.frameOf(sent.get(5).id()); // both instances have dispatched them: a resume replays them
            onB.frameOf(sent.get(5).id());
        }
        for (String source : List.of("memory", "kafka")) {
            String gateway = source.equals("memory") ? a : b;
            String cursor = source.equals("memory") ? cursorA : cursorB;
            List<List<String>> byNaming = new ArrayList<>();
            for (String frames : List.of("typed", "record")) {
                double before = Metrics.value(gateway, "eventline_stream_records_replayed_total", "source=\"" + source + "\"");
                try (Raw resumed = Raw.open(gateway, partner, frames, cursor)) {
                    assertReady(resumed, true);
                    List<List<String>> got = new ArrayList<>();
                    for (ChangeRecord c : sent) {
                        got.add(resumed.frameOf(c.id()));
                    }
                    for (int i = 0; i < got.size(); i++) {
                        assertThat(got.get(i)).as("%s replay, frames=%s", source, frames).hasSize(3);
                        assertThat(got.get(i).get(1)).isEqualTo(frames.equals("record") ? "event: record" : "event: " + sent.get(i).type());
                        assertThat(data(got.get(i)).getString("type")).isEqualTo(sent.get(i).type());
                    }
                    resumed.frameNamed("heartbeat"); // the replay ends with one, named so either way
                    byNaming.add(got.stream().map(f -> f.get(2)).toList());
                }
                assertThat(Metrics.value(gateway, "eventline_stream_records_replayed_total", "source=\"" + source + "\""))
                        .as("replayed from %s with frames=%s", source, frames).isGreaterThan(before);
            }
            assertThat(byNaming.get(1)).as("the same data lines either way").isEqualTo(byNaming.get(0));
        }
    }

    @Test
    void anUnknownOrConflictingFramesIsA400ThatLeavesTheTicketUnused() {
        Rest user = new Rest(a, "user");
        String ticket = user.expect(200, "POST", "/api/stream/tickets", null).getString("ticket");
        for (String query : List.of("frames=bogus", "frames=", "frames=RECORD", "frames=typed&frames=record")) {
            try (Raw refused = Raw.request(a + "/api/stream?ticket=" + ticket + "&" + query, Map.of())) {
                assertThat(refused.status).as(query).isEqualTo(400);
                assertThat(refused.contentType).as(query).startsWith("application/problem+json");
                JsonObject problem = new JsonObject(refused.rest());
                assertThat(problem.getInteger("status")).isEqualTo(400);
                assertThat(problem.getString("detail")).contains("frames");
            }
        }
        try (Raw bearer = Raw.request(a + "/api/stream?frames=nope", Map.of("Authorization", "Bearer " + user.token))) {
            assertThat(bearer.status).isEqualTo(400);
            assertThat(bearer.contentType).startsWith("application/problem+json");
        }
        // the ticket was not used up, and the same value twice is one choice
        try (Raw opened = Raw.request(a + "/api/stream?ticket=" + ticket + "&frames=record&frames=record", Map.of())) {
            assertThat(opened.status).isEqualTo(200);
            assertThat(opened.nextFrame()).contains("event: ready");
        }
    }

    /** Reads the first frame: retry, id, ready; returns its cursor. */
    private static String assertReady(Raw stream, boolean resumed) {
        assertThat(stream.status).as(stream.status == 200 ? "" : stream.rest()).isEqualTo(200);
        assertThat(stream.contentType).startsWith("text/event-stream");
        List<String> ready = stream.nextFrame();
        assertThat(ready).hasSize(4);
        assertThat(ready.get(0)).startsWith("retry: ");
        assertThat(ready.get(1)).startsWith("id: ");
        assertThat(ready.get(2)).isEqualTo("event: ready");
        assertThat(data(ready).getBoolean("resumed")).isEqualTo(resumed);
        return ready.get(1).substring(4);
    }

    private static JsonObject data(List<String> frame) {
        String line = frame.get(frame.size() - 1);
        assertThat(line).startsWith("data: ");
        return new JsonObject(line.substring(6));
    }

    /** A stream's body as lines from {@code java.net.http}, read on a thread of its own so that every read has a deadline. */
    static final class Raw implements AutoCloseable {
        private static final Object END = new Object();

        final int status;
        final String contentType;
        private final Stream<String> body;
        private final BlockingQueue<Object> lines = new LinkedBlockingQueue<>();
        private final Thread reader;
        /** Whether this reads a {@code frames=record} stream: its event lines are checked on every frame. */
        private boolean recordNaming;

        private Raw(HttpResponse<Stream<String>> response) {
            status = response.statusCode();
            contentType = response.headers().firstValue("Content-Type").orElse("");
            body = response.body();
            reader = Thread.ofPlatform().daemon().name("raw-sse-reader").start(() -> {
                try {
                    body.forEach(lines::add);
                } catch (UncheckedIOException | IllegalStateException closed) {
                    // closed by the test or the server
                } finally {
                    lines.add(END);
                }
            });
        }

        static Raw open(String base, Rest who, String frames, String lastEventId) {
            String ticket = who.expect(200, "POST", "/api/stream/tickets", null).getString("ticket");
            StringBuilder url = new StringBuilder(base).append("/api/stream?ticket=").append(enc(ticket));
            if (frames != null) {
                url.append("&frames=").append(enc(frames));
            }
            if (lastEventId != null) {
                url.append("&lastEventId=").append(enc(lastEventId));
            }
            Raw raw = request(url.toString(), Map.of());
            raw.recordNaming = "record".equals(frames);
            return raw;
        }

        static Raw request(String url, Map<String, String> headers) {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(READ).GET();
            headers.forEach(r::header);
            try {
                return new Raw(HTTP.sendAsync(r.build(), HttpResponse.BodyHandlers.ofLines()).get(READ.toSeconds(), TimeUnit.SECONDS));
            } catch (Exception e) {
                throw new AssertionError("GET " + url + ": " + e, e);
            }
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }

        /** The next line; fails when none comes within {@link #READ} or the body ended. */
        String line() {
            Object line;
            try {
                line = lines.poll(READ.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertThat(line).as("a line within " + READ).isNotNull();
            assertThat(line).as("the stream ended").isNotSameAs(END);
            return (String) line;
        }

        /** The lines of the next frame, without the blank line that ends it. */
        List<String> nextFrame() {
            List<String> frame = new ArrayList<>();
            for (String l = line(); !l.isEmpty(); l = line()) {
                frame.add(l);
            }
            if (recordNaming) {
                frame.stream().filter(l -> l.startsWith("event:")).forEach(l -> assertThat(RECORD_NAMING).contains(l));
            }
            return frame;
        }

        /** Reads frames until the one that carries the CloudEvent {@code id}. */
        List<String> frameOf(String id) {
            long deadline = System.nanoTime() + READ.toNanos();
            while (System.nanoTime() < deadline) {
                List<String> frame = nextFrame();
                String last = frame.isEmpty() ? "" : frame.get(frame.size() - 1);
                if (last.startsWith("data: {") && id.equals(new JsonObject(last.substring(6)).getString("id"))) {
                    return frame;
                }
            }
            throw new AssertionError("no frame of " + id + " within " + READ);
        }

        /** Reads frames until one named {@code event}. */
        List<String> frameNamed(String event) {
            long deadline = System.nanoTime() + READ.toNanos();
            while (System.nanoTime() < deadline) {
                List<String> frame = nextFrame();
                if (frame.contains("event: " + event)) {
                    return frame;
                }
            }
            throw new AssertionError("no " + event + " within " + READ);
        }

        /** The rest of a short body (a problem), bounded by {@link #READ}. */
        String rest() {
            StringBuilder out = new StringBuilder();
            long deadline = System.nanoTime() + READ.toNanos();
            while (System.nanoTime() < deadline) {
                Object line;
                try {
                    line = lines.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
                if (line == null || line == END) {
                    break;
                }
                out.append(line).append('\n');
            }
            return out.toString();
        }

        @Override
        public void close() {
            body.close();
            reader.interrupt();
        }
    }

    /** Change records for one user, all with one key (one partition), as a service's relay would produce them. */
    private static final class Producer implements AutoCloseable {
        private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", LocalStack.shared().kafkaBootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer());

        List<ChangeRecord> send(String sub, int count) {
            String key = UUID.randomUUID().toString();
            List<ChangeRecord> sent = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ChangeRecord record = new ChangeRecord("eventline.events", key, UUID.randomUUID().toString(), "gateway-it",
                        "event.updated", key, Instant.now(), Audience.user(sub), i + 1, "{\"id\":\"" + key + "\",\"n\":" + i + "}");
                try {
                    producer.send(record.toProducerRecord()).get(READ.toSeconds(), TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                sent.add(record);
            }
            return sent;
        }

        @Override
        public void close() {
            producer.close();
        }
    }
}
