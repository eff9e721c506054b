package io.eventline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.systemtests.SseClient.Event;
import io.eventline.gateway.stream.CursorCodec;
import io.eventline.gateway.stream.Signer;
import io.eventline.gateway.stream.Topology;
import io.eventline.localstack.LocalStack;
import io.vertx.core.json.JsonObject;

/**
 * What a broken producer, a stale cursor or a slow client sends the stream core, through real
 * Kafka and real sockets: records whose audience is empty, malformed or names 10,000 users; a
 * cursor for a partition that no longer exists; a client that reads one byte a second.
 */
class StreamBadInputIT extends AgainstCluster {

    private static final Duration PASS = Duration.ofSeconds(15);

    @AfterEach
    void nothingIsLeftBehind() {
        awaitNoStreamLeft();
    }

    @Test
    void recordsWithAnEmptyOrMalformedAudienceAreSkippedAndOneNamingTenThousandUsersReachesExactlyThem() {
        Rest named = new Rest(a, "user");
        Rest other = new Rest(a, "user");
        double invalidBefore = Metrics.value(a, "eventline_stream_records_invalid_total");
        try (SseClient mine = StreamIT.open(a, named); SseClient theirs = StreamIT.open(a, other);
                Publish publish = new Publish()) {
            String run = UUID.randomUUID().toString();
            publish.eventWithAudienceHeader(run + "-empty", "");
            publish.eventWithAudienceHeader(run + "-blank", " , ");
            publish.eventWithAudienceHeader(run + "-missing", null);
            publish.eventWithAudienceHeader(run + "-malformed", "user:,role:root");
            publish.eventWithAudienceHeader(run + "-star", "*");
            List<String> subs = new ArrayList<>();
            for (int i = 0; i < 9_999; i++) {
                subs.add("someone-" + i);
            }
            subs.add(5_000, named.sub);
            String crowd = Audience.users(subs).format();
            assertThat(crowd.split(",")).hasSize(10_000);
            publish.eventWithAudienceHeader(run + "-crowd", crowd);
            publish.eventWithAudienceHeader(run + "-theirs", "user:" + other.sub);

            List<Event> got = mine.until(e -> e.data().contains(run + "-crowd"), PASS);
            assertThat(got).as("the named user's stream, up to the 10,000-user record").isNotEmpty();
            assertThat(got.stream().filter(e -> e.data().contains(run)).map(e -> marker(e, run)))
                    .containsExactly("crowd");
            List<Event> theirsGot = theirs.until(e -> e.data().contains(run + "-theirs"), PASS);
            assertThat(theirsGot.stream().filter(e -> e.data().contains(run)).map(e -> marker(e, run)))
                    .as("a user the crowd does not name").containsExactly("theirs");
            await().atMost(PASS).until(() -> Metrics.value(a, "eventline_stream_records_invalid_total") >= invalidBefore + 5);
            assertThat(mine.ended()).isFalse();
            assertThat(theirs.ended()).isFalse();
        }
    }

    private static String marker(Event e, String run) {
        String m = e.json().getJsonObject("data").getString("marker");
        return m.substring(run.length() + 1);
    }

    @Test
    void aCursorForAPartitionThatNoLongerExistsIsAResetNeverAnError() {
        Map<String, Integer> more = new HashMap<>(LocalStack.TOPICS);
        more.merge("eventline.events", 1, Integer::sum); // a partition this cluster does not have
        Topology gone = new Topology(more, Cursors.TOPICS);
        String secret = Cluster.get().gatewayEnv.get("EVENTLINE_STREAM_SECRET");
        String cursor = new CursorCodec(new Signer("cursor", secret, List.of()), gone).encode(new long[gone.size()]);
        Rest user = new Rest(a, "user");
        for (String gateway : List.of(a, b)) {
            try (SseClient s = SseClient.open(gateway + "/api/stream", user.token, cursor)) {
                assertThat(s.status()).isEqualTo(200);
                Event ready = s.next(PASS);
                assertThat(ready.event()).isEqualTo("ready");
                assertThat(new JsonObject(ready.data()).getBoolean("resumed")).isFalse();
                Event reset = s.next(PASS);
                assertThat(reset.event()).isEqualTo("reset");
                assertThat(new JsonObject(reset.data()).getString("reason")).isEqualTo("invalid-cursor");
                assertThat(reset.id()).isEqualTo(ready.id()).isNotEqualTo(cursor);
            }
        }
    }

    /**
     * A client that reads a byte a second is as good as one that does not read: its stream is cut
     * and released at once (its queue, subscription and per-user slot), and the server's end of its
     * connection is closed within the HTTP idle timeout, though its socket never drains. Read off
     * the kernel's table of this machine's TCP sockets, the gateway's side of the connection.
     */
    @Test
    void aClientThatReadsAByteASecondIsCutAndItsConnectionClosedWithinTheIdleTimeout() throws Exception {
        Rest user = new Rest(b, "user");
        int port = URI.create(b).getPort();
        double droppedBefore = Metrics.value(b, "eventline_stream_dropped_total");
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger read = new AtomicInteger();
        AtomicBoolean ended = new AtomicBoolean();
        try (Socket socket = new Socket(); Publish publish = new Publish()) {
            socket.setReceiveBufferSize(4096);
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(500);
            socket.getOutputStream().write(("GET /api/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + user.token + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            trickle.scheduleAtFixedRate(() -> {
                try {
                    if (in.read() < 0) {
                        ended.set(true);
                    } else {
                        read.incrementAndGet();
                    }
                } catch (SocketTimeoutException nothingYet) {
                    // the next second
                } catch (IOException e) {
                    ended.set(true);
                }
            }, 0, 1, TimeUnit.SECONDS);
            await().atMost(PASS).until(() -> Metrics.value(b, "eventline_stream_open") >= 1);
            int clientPort = socket.getLocalPort();
            assertThat(serverSideOpen(port, clientPort)).as("the gateway's side of the connection, before").isTrue();

            // 16 KiB public records, 4 at a time, until the stream is cut (at most 200 batches).
            for (int i = 0; i < 200 && Metrics.value(b, "eventline_stream_dropped_total") < droppedBefore + 1; i++) {
                publish.events(4, Audience.PUBLIC, 16_384);
            }
            await().atMost(PASS).until(() -> Metrics.value(b, "eventline_stream_dropped_total") >= droppedBefore + 1);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(Metrics.value(b, "eventline_stream_open")).as("released at the cut").isZero();
                assertThat(Metrics.value(b, "eventline_stream_queued_bytes")).isZero();
            });
            await().atMost(Cluster.B_IDLE_TIMEOUT.plusSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> !serverSideOpen(port, clientPort));
            assertThat(read.get()).as("the client was reading, slowly").isPositive();
            assertThat(ended.get()).as("its socket still holds what it has not read").isFalse();
        } finally {
            trickle.shutdownNow();
        }
    }

    /** Whether the kernel holds an established TCP socket from the gateway's {@code port} to the client's. */
    private static boolean serverSideOpen(int port, int clientPort) throws IOException {
        String local = String.format(Locale.ROOT, ":%04X", port);
        String remote = String.format(Locale.ROOT, ":%04X", clientPort);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            for (String line : Files.readAllLines(path)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 3 && f[1].endsWith(local) && f[2].endsWith(remote)) {
                    return f[3].equals("01"); // ESTABLISHED; after the server's close: FIN_WAIT1 or gone
                }
            }
        }
        return false;
    }
}
