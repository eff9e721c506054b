package io.eventline.systemtests;

import static io.eventline.systemtests.StreamIT.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.systemtests.SseClient.Event;
import io.eventline.localstack.DevTokens;
import io.vertx.core.json.JsonObject;

/** Auth, tickets, expiry, limits, slow clients, bad input and connection churn on the stream. */
class StreamLimitsIT extends AgainstCluster {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Every read here has a bound: a regression fails the test instead of hanging the suite. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

    @AfterEach
    void noStreamIsLeftBehind() {
        awaitNoStreamLeft();
    }

    private static void assertProblem(SseClient refused, int status) {
        assertThat(refused.status()).isEqualTo(status);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(new JsonObject(refused.errorBody()).getInteger("status")).isEqualTo(status);
    }

    @Test
    void theSeventeenthStreamOfAUserIsRefusedWith429() {
        Rest user = new Rest(a, "user");
        List<SseClient> tabs = new ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                tabs.add(open(a, user));
            }
            try (SseClient seventeenth = SseClient.open(a + "/api/stream", user.token, null)) {
                assertProblem(seventeenth, 429);
            }
            tabs.remove(0).close();
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try (SseClient again = SseClient.open(a + "/api/stream", user.token, null)) {
                    return again.status() == 200;
                }
            });
        } finally {
            tabs.forEach(SseClient::close);
        }
    }

    @Test
    void aTicketOpensOneStreamOnAnyInstanceOnce() {
        Rest user = new Rest(a, "user");
        JsonObject issued = user.expect(200, "POST", "/api/stream/tickets", null);
        assertThat(issued.getLong("expiresIn")).isEqualTo(60);
        String ticket = issued.getString("ticket");

        try (SseClient first = SseClient.open(b + "/api/stream?ticket=" + ticket, Map.of())) {
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.next(Duration.ofSeconds(5)).event()).isEqualTo("ready");
            try (SseClient again = SseClient.open(b + "/api/stream?ticket=" + ticket, Map.of())) {
                assertProblem(again, 401);
            }
        }
        String other = user.expect(200, "POST", "/api/stream/tickets", null).getString("ticket");
        String tampered = other.substring(0, 20) + (other.charAt(20) == 'A' ? 'B' : 'A') + other.substring(21);
        for (String bad : List.of(tampered, "garbage", "", "x".repeat(3_000))) {
            try (SseClient refused = SseClient.open(a + "/api/stream?ticket=" + bad, Map.of())) {
                assertProblem(refused, 401);
            }
        }
        given401WithoutToken("POST", "/api/stream/tickets");
    }

    private static void given401WithoutToken(String method, String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(a + path)).timeout(READ_TIMEOUT)
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aStreamWithoutAValidTokenIs401() throws Exception {
        try (SseClient none = SseClient.open(a + "/api/stream", Map.of())) {
            assertProblem(none, 401);
        }
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = Map.of("iss", DevTokens.ISSUER, "sub", "mallory", "groups", new String[] { "admin" },
                "iat", now, "exp", now + 600);
        String expired = DevTokens.sign(Map.of("iss", DevTokens.ISSUER, "sub", "mallory", "groups",
                new String[] { "user" }, "iat", now - 600, "exp", now - 300));
        String payload = b64(new JsonObject(claims).encode());
        String unsigned = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".";
        KeyPair other = KeyPairGenerator.getInstance("RSA").generateKeyPair();
        String signingInput = b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + payload;
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(other.getPrivate());
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        String otherKey = signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(rsa.sign());
        for (String token : List.of(expired, unsigned, otherKey, "not-a-jwt")) {
            try (SseClient refused = SseClient.open(a + "/api/stream", token, null)) {
                assertProblem(refused, 401);
            }
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tokenExpiryEndsTheStreamWithExpired() {
        String token = DevTokens.mint("short-" + System.nanoTime(), "user", "Short", Duration.ofSeconds(3));
        double before = Metrics.value(a, "eventline_stream_expired_total");
        try (SseClient stream = SseClient.open(a + "/api/stream", token, null)) {
            assertThat(stream.next(Duration.ofSeconds(5)).event()).isEqualTo("ready");
            stream.until(e -> e.event().equals("expired"), Duration.ofSeconds(10));
            stream.awaitEnd(Duration.ofSeconds(5));
        }
        assertThat(Metrics.value(a, "eventline_stream_expired_total")).isEqualTo(before + 1);
    }

    @Test
    void badRequestsGetAClear4xx() throws Exception {
        Rest user = new Rest(a, "user");
        HttpResponse<String> withBody = HTTP.send(HttpRequest.newBuilder(URI.create(a + "/api/stream")).timeout(READ_TIMEOUT)
                .header("Authorization", "Bearer " + user.token).method("GET", HttpRequest.BodyPublishers.ofString("{}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(withBody.statusCode()).isEqualTo(400);
        assertThat(withBody.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");

        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(a + "/api/stream")).timeout(READ_TIMEOUT)
                .header("Authorization", "Bearer " + user.token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);

        assertThat(rawStatus("GET /api/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + user.token
                + "\r\nX-Big: " + "y".repeat(40_000) + "\r\n\r\n")).isEqualTo(431);
        assertThat(rawStatus("GET /api/stream?lastEventId=" + "z".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"))
                .isEqualTo(414);
    }

    /** Sends a raw request and returns the status of the answer. */
    private static int rawStatus(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("localhost", URI.create(a).getPort()), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String statusLine = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    @Test
    void aClientThatNeverReadsIsCutWhileOthersGetEverythingAndTheQueuesStayBounded() throws Exception {
        int stuck = 20;
        Rest reader = new Rest(a, "user");
        double droppedBefore = Metrics.value(a, "eventline_stream_dropped_total");
        List<Socket> sockets = new ArrayList<>();
        try (SseClient healthy = open(a, reader); Publish publish = new Publish()) {
            for (int i = 0; i < stuck; i++) {
                Rest user = new Rest(a, "user");
                Socket s = new Socket();
                s.setReceiveBufferSize(4096);
                s.connect(new InetSocketAddress("localhost", URI.create(a).getPort()), 5_000);
                OutputStream out = s.getOutputStream();
                out.write(("GET /api/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + user.token
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                sockets.add(s); // and never read from it
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> Metrics.value(a, "eventline_stream_open") >= stuck + 1);

            // 10 MiB to every stream, 64 KiB at a time: the reading client takes each batch before the next,
            // the stuck ones take nothing.
            double maxQueued = 0;
            int batches = 160;
            int perBatch = 4;
            for (int i = 0; i < batches; i++) {
                publish.events(perBatch, Audience.PUBLIC, 16_384);
                int received = 0;
                while (received < perBatch) {
                    Event e = healthy.nextRecord(Duration.ofSeconds(10));
                    assertThat(e).as("the reading client's stream ended in batch " + i).isNotNull();
                    if (e.data().contains("\"pad\"")) {
                        received++;
                    }
                }
                if (i % 16 == 0) {
                    maxQueued = Math.max(maxQueued, Metrics.value(a, "eventline_stream_queued_bytes"));
                }
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Metrics.value(a, "eventline_stream_dropped_total") >= droppedBefore + stuck);
            for (Socket s : sockets) {
                assertThat(drainToEnd(s, Duration.ofSeconds(15))).as("the server closed the stuck connection").isTrue();
            }
            assertThat(maxQueued).as("bytes queued in the gateway for all streams")
                    .isLessThanOrEqualTo((double) (stuck + 1) * Cluster.SEND_BUFFER);
            double heap = Metrics.value(a, "jvm_memory_used_bytes", "area=\"heap\"");
            double max = Metrics.value(a, "jvm_memory_max_bytes", "area=\"heap\"");
            System.out.printf("slow clients: %d cut; max queued %.0f bytes; heap %.1f MiB of %.1f MiB%n", stuck, maxQueued,
                    heap / 1048576, max / 1048576);
            assertThat(healthy.ended()).isFalse();
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    /**
     * Reads what the kernel buffered until the server's close: true on a clean end or a reset,
     * false when the connection is still open after {@code within} (a stream left open, idle or
     * still sending heartbeats, fails here instead of hanging the suite).
     */
    private static boolean drainToEnd(Socket socket, Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[65_536];
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) left);
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (SocketException reset) {
            return true;
        }
    }

    @Test
    void thousandsOfConnectAndDisconnectCyclesLeaveNoSubscriptionBehind() throws Exception {
        int cycles = 2_000;
        AtomicInteger ready = new AtomicInteger();
        List<Rest> users = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            users.add(new Rest(a, "user"));
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < cycles; i++) {
                String gateway = i % 2 == 0 ? a : b;
                Rest user = users.get(i % users.size());
                String garbage = i % 3 == 0 ? "garbage-" + i : null;
                done.add(pool.submit(() -> {
                    try (SseClient s = SseClient.open(gateway + "/api/stream", user.token, garbage)) {
                        if (s.status() == 200 && "ready".equals(s.next(Duration.ofSeconds(10)).event())) {
                            ready.incrementAndGet();
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        assertThat(ready.get()).isEqualTo(cycles);
        // @AfterEach: open streams, subscriptions and queued bytes are back to zero on both instances
    }
}
