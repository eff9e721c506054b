package io.eventline.systemtests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.systemtests.Cluster;
import io.eventline.systemtests.Cursors;
import io.eventline.systemtests.Metrics;
import io.eventline.systemtests.Rest;
import io.eventline.systemtests.SseClient;
import io.eventline.systemtests.SseClient.Event;
import io.eventline.gateway.stream.CursorCodec;
import io.eventline.gateway.stream.Signer;
import io.eventline.gateway.stream.Topology;
import io.eventline.localstack.LocalStack;
import io.vertx.core.json.JsonObject;

/**
 * Scenario 10, connection abuse, against a gateway instance of this test's own (gateway A's
 * configuration with a 16 KiB send buffer), so that its metrics start clean. <b>Load and
 * fault:</b> 1 000 connect/disconnect cycles ({@code ./mvnw verify}; 5 000 in the full run), 16 at a
 * time: a stream read to its {@code ready} and closed, the same opened with a ticket, a request sent
 * and the socket reset at once, a response head read and the socket closed, a request cut off
 * half-way; then 100 resumes (400) with garbage {@code Last-Event-ID}s: random bytes, control bytes,
 * huge values (under the header limit), a real cursor with one bit flipped or truncated, cursors
 * signed with another secret or for another topology, a validly signed cursor for positions Kafka
 * does not have, garbage in {@code ?lastEventId=}; then 200 clients (1 000) that open a stream (half
 * with a bearer token, half with a ticket) and never read, while records are produced for them
 * until their buffers fill, next to one client that reads. <b>Checks:</b> no 5xx and no hang
 * anywhere; every cycle that should open did; every garbage cursor gets {@code ready} (not resumed)
 * then {@code reset} with its reason, or a 400 problem+json (control bytes and malformed escapes
 * included: the gateway checks them itself rather than leave them to the decoder); every non-reader is cut
 * ({@code eventline_stream_dropped_total}) and the server closes its connection, while the reading
 * client gets every record and stays connected; the bytes queued stay within the send buffer's
 * bound; afterwards open streams, subscriptions and queued bytes return to 0, the heap after a full
 * GC is within 64 MiB of where it started, and no thread was reported blocked in the instance's log.
 */
class ConnectionAbuseFaultIT {

    private static final int SEND_BUFFER = 16_384;
    private static final int PARALLEL = 16;
    private static final double MIB = 1024 * 1024;
    private static final Topology TOPOLOGY = new Topology(LocalStack.TOPICS, Cursors.TOPICS);
    private static final Set<String> INVALID = Set.of("invalid-cursor");
    private static final int[] HUGE = { 2_047, 2_048, 2_049, 4_096, 8_000, 12_000 };

    private static OwnGateway gateway;

    /** One garbage resume: the request target, the raw Last-Event-ID (null for none), what may answer it. */
    private record Garbage(String kind, String target, byte[] header, Set<String> reasons) {

        /**
         * Not a well-formed header line at all: Netty's decoder reads a control character that Java
         * counts as whitespace (VT, FF, FS to US) right after the colon as a broken separator and
         * refuses the request with an empty 400 before the gateway sees it. Control characters
         * anywhere else reach the gateway, which answers problem+json. docs/reliability.md lists
         * what only the codec answers.
         */
        boolean unparseable() {
            return header != null && header.length > 0 && header[0] != ' ' && header[0] != '\t'
                    && Character.isWhitespace((char) (header[0] & 0xff));
        }
    }

    @BeforeAll
    static void up() {
        Cluster.get();
        gateway = OwnGateway.start(Map.of("EVENTLINE_STREAM_SEND_BUFFER", Integer.toString(SEND_BUFFER)), "abuse").get(0);
    }

    @AfterAll
    static void down() {
        OwnGateway.closeAll(gateway);
    }

    @Test
    void abusiveClientsLeaveNoStreamNoSubscriptionNoBlockedThreadAndABoundedHeap() throws Exception {
        int cycles = FaultReport.scaled(1_000, 10_000);
        int nonReaders = FaultReport.scaled(200, 1_000);
        int garbageCount = FaultReport.scaled(100, 400);
        String url = gateway.url();
        int port = gateway.port();
        long seed = System.nanoTime();
        Random random = new Random(seed);
        AtomicInteger serverErrors = new AtomicInteger();
        List<String> improper = Collections.synchronizedList(new ArrayList<>());

        boolean gcBefore = gateway.gc();
        double heapBefore = heap(url);

        // 1. Connect/disconnect cycles.
        List<Rest> users = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            users.add(new Rest(url, "user"));
        }
        AtomicInteger opened = new AtomicInteger();
        int shouldOpen = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(PARALLEL)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < cycles; i++) {
                Rest user = users.get(i % users.size());
                int kind = i % 5;
                if (kind == 0 || kind == 1 || kind == 3) {
                    shouldOpen++;
                }
                done.add(pool.submit(() -> {
                    cycle(kind, user, url, port, opened, serverErrors, improper);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(improper).as("cycles answered wrongly").isEmpty();
        assertThat(opened.get()).as("cycles that opened a stream").isEqualTo(shouldOpen);
        assertThat(FaultReport.within(Duration.ofSeconds(30), () -> zero(url)))
                .as("open streams and subscriptions back to 0 after the cycles").isTrue();

        // 2. Garbage cursors.
        String valid;
        try (SseClient tab = SseClient.open(url + "/api/stream", users.get(0).token, null)) {
            assertThat(tab.status()).isEqualTo(200);
            valid = tab.next(Duration.ofSeconds(10)).id();
        }
        String secret = activeSecret(valid);
        List<Garbage> garbage = garbage(garbageCount, valid, secret, random);
        Map<String, int[]> byKind = new TreeMap<>();
        garbage.forEach(g -> byKind.computeIfAbsent(g.kind(), k -> new int[1])[0]++);
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < garbage.size(); i++) {
                Garbage g = garbage.get(i);
                String token = users.get(i % 8).token;
                done.add(pool.submit(() -> {
                    String wrong = resume(port, token, g, serverErrors);
                    if (wrong != null) {
                        improper.add(g.kind() + " " + printable(g) + ": " + wrong);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
        assertThat(improper).as("garbage cursors answered wrongly (seed %d)", seed).isEmpty();
        assertThat(FaultReport.within(Duration.ofSeconds(30), () -> zero(url)))
                .as("open streams and subscriptions back to 0 after the garbage cursors").isTrue();

        // 3. Clients that never read, next to one that does.
        double droppedBefore = Metrics.value(url, "eventline_stream_dropped_total");
        List<Socket> stuck = new ArrayList<>();
        double maxQueued = 0;
        double peakHeap = 0;
        int produced = 0;
        long readerGot = 0;
        String run = "abuse-" + UUID.randomUUID();
        try (FaultProducer producer = new FaultProducer();
                SseClient healthy = SseClient.open(url + "/api/stream", new Rest(url, "user").token, null)) {
            assertThat(healthy.status()).isEqualTo(200);
            assertThat(healthy.next(Duration.ofSeconds(10)).event()).isEqualTo("ready");
            try {
                for (int i = 0; i < nonReaders; i++) {
                    Rest user = new Rest(url, "user");
                    String target = "/api/stream";
                    String token = user.token;
                    if (i % 2 == 1) {
                        Rest.Reply ticket = user.call("POST", "/api/stream/tickets", null);
                        if (ticket.status() >= 500) {
                            serverErrors.incrementAndGet();
                        }
                        assertThat(ticket.status()).as("ticket: %s", ticket.body()).isEqualTo(200);
                        target = "/api/stream?ticket=" + ticket.json().getString("ticket");
                        token = null;
                    }
                    Socket s = RawHttp.connect(port, 4096, 10_000);
                    stuck.add(s);
                    s.getOutputStream().write(RawHttp.streamRequest(target, token, null));
                    s.getOutputStream().flush(); // and never read from it
                }
                assertThat(FaultReport.within(Duration.ofSeconds(60),
                        () -> Metrics.value(url, "eventline_stream_open") >= nonReaders + 1))
                        .as("%d non-readers and the reader open", nonReaders).isTrue();

                // 4 KiB records for every user stream, 8 at a time (under 4 send buffers, so even a batch the
                // event loop has not started on does not cut the reader): the reader takes each batch before
                // the next, the others take nothing; until every non-reader is cut (at most 1 000 batches, 2 min).
                String pad = "x".repeat(4_096);
                int batch = 8;
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                for (int b = 0; b < 1_000 && System.nanoTime() < deadline
                        && Metrics.value(url, "eventline_stream_dropped_total") < droppedBefore + nonReaders; b++) {
                    for (int j = 0; j < batch; j++) {
                        String id = UUID.randomUUID().toString();
                        producer.send(FaultProducer.record("notification.created", id, id, Audience.role("user"), 1,
                                new JsonObject().put("run", run).put("seq", produced++).put("pad", pad).encode()));
                    }
                    producer.flush();
                    int got = 0;
                    while (got < batch) {
                        Event e = healthy.nextRecord(Duration.ofSeconds(10));
                        assertThat(e).as("the reading client's stream ended in batch %d", b).isNotNull();
                        JsonObject data = e.json().getJsonObject("data");
                        if (data != null && run.equals(data.getString("run"))) {
                            got++;
                        }
                    }
                    readerGot += got;
                    if (b % 8 == 0) {
                        maxQueued = Math.max(maxQueued, Metrics.value(url, "eventline_stream_queued_bytes"));
                        peakHeap = Math.max(peakHeap, heap(url));
                    }
                }
                double dropped = Metrics.value(url, "eventline_stream_dropped_total") - droppedBefore;
                assertThat(dropped).as("non-readers cut after %d records", produced).isGreaterThanOrEqualTo(nonReaders);
                assertThat(FaultReport.within(Duration.ofSeconds(30), () -> Metrics.value(url, "eventline_stream_open") <= 1))
                        .as("only the reader left open").isTrue();
                for (Socket s : stuck.subList(0, Math.min(20, stuck.size()))) {
                    assertThat(RawHttp.drainToEnd(s.getInputStream())).as("the server closed a non-reader's connection")
                            .isTrue();
                }
                assertThat(healthy.ended()).as("the reading client was cut").isFalse();
                assertThat(readerGot).isEqualTo(produced);
                assertThat(maxQueued).as("bytes queued for all streams")
                        .isLessThanOrEqualTo((nonReaders + 1.0) * (4 * SEND_BUFFER + 8_192));
            } finally {
                for (Socket s : stuck) {
                    s.close();
                }
            }
        }

        // 4. Afterwards: nothing left behind, the heap back, no thread blocked.
        long closedAt = System.nanoTime();
        boolean backToZero = FaultReport.within(Duration.ofSeconds(30), () -> zero(url));
        Duration recover = Duration.ofNanos(System.nanoTime() - closedAt);
        boolean gcAfter = gateway.gc();
        double heapAfter = heap(url);
        System.out.printf("connection abuse: %d cycles, %d non-readers cut by %d records, %d garbage cursors %s (seed %d);"
                + " max queued %.0f bytes; heap %.1f MiB -> peak %.1f -> %.1f MiB (GC before/after: %s/%s); back to 0 in"
                + " %d ms%n", cycles, nonReaders, produced, garbage.size(), kinds(byKind), seed, maxQueued, heapBefore / MIB,
                peakHeap / MIB, heapAfter / MIB, gcBefore, gcAfter, recover.toMillis());

        FaultReport.row("10", "Connection abuse", cycles + " cycles, " + nonReaders + " non-readers, " + garbage.size()
                + " garbage cursors", "clients that never read, forged cursors", 0, 0, serverErrors.get(), recover,
                String.format("heap %.0f → %.0f MiB, subscriptions back to 0", heapBefore / MIB, heapAfter / MIB));
        assertThat(serverErrors.get()).as("5xx answers").isZero();
        assertThat(backToZero).as("open streams, subscriptions and queued bytes back to 0 within 30 s").isTrue();
        // After a full GC on both sides, 64 MiB of slack; without jcmd, the young generation's garbage too.
        double slack = gcBefore && gcAfter ? 64 * MIB : 192 * MIB;
        assertThat(heapAfter).as("heap after the abuse, bytes (full GC before and after: %s)", gcBefore && gcAfter)
                .isLessThan(heapBefore + slack);
        gateway.assertNoThreadWasBlocked();
    }

    /** One connect/disconnect cycle of the given kind. */
    private static void cycle(int kind, Rest user, String url, int port, AtomicInteger opened, AtomicInteger serverErrors,
            List<String> improper) throws IOException {
        switch (kind) {
            case 0, 1 -> { // a stream read to its ready and closed: with the token, or with a ticket
                String target = url + "/api/stream";
                Map<String, String> headers = Map.of("Authorization", "Bearer " + user.token);
                if (kind == 1) {
                    Rest.Reply ticket = user.call("POST", "/api/stream/tickets", null);
                    if (ticket.status() != 200) {
                        count(ticket.status(), "ticket", serverErrors, improper);
                        return;
                    }
                    target += "?ticket=" + ticket.json().getString("ticket");
                    headers = Map.of();
                }
                try (SseClient s = SseClient.open(target, headers)) {
                    if (s.status() != 200) {
                        count(s.status(), "stream: " + s.errorBody(), serverErrors, improper);
                        return;
                    }
                    Event ready = s.next(Duration.ofSeconds(10));
                    if (ready != null && ready.event().equals("ready")) {
                        opened.incrementAndGet();
                    } else {
                        improper.add("stream began with " + ready);
                    }
                }
            }
            case 2 -> { // the request, then a reset at once
                try (Socket s = RawHttp.connect(port, 0, 10_000)) {
                    s.setSoLinger(true, 0);
                    s.getOutputStream().write(RawHttp.streamRequest("/api/stream", user.token, null));
                }
            }
            case 3 -> { // the response head, then gone
                try (Socket s = RawHttp.connect(port, 0, 10_000)) {
                    s.getOutputStream().write(RawHttp.streamRequest("/api/stream", user.token, null));
                    RawHttp.Head head = RawHttp.readHead(s.getInputStream());
                    if (head.status() == 200) {
                        opened.incrementAndGet();
                    } else {
                        count(head.status(), "raw stream", serverErrors, improper);
                    }
                } catch (SocketTimeoutException e) {
                    improper.add("no response head within 10 s");
                }
            }
            default -> { // half a request
                byte[] request = RawHttp.streamRequest("/api/stream", user.token, null);
                try (Socket s = RawHttp.connect(port, 0, 10_000)) {
                    OutputStream out = s.getOutputStream();
                    out.write(request, 0, request.length / 2);
                    out.flush();
                }
            }
        }
    }

    private static void count(int status, String what, AtomicInteger serverErrors, List<String> improper) {
        if (status >= 500) {
            serverErrors.incrementAndGet();
        }
        improper.add(what + ": " + status);
    }

    /**
     * Resumes with one garbage cursor over a raw socket; null when the answer is proper (ready, not
     * resumed, then reset with an expected reason; or 400 problem+json), else what was wrong.
     */
    private static String resume(int port, String token, Garbage g, AtomicInteger serverErrors) {
        try (Socket s = RawHttp.connect(port, 0, 10_000)) {
            s.getOutputStream().write(RawHttp.streamRequest(g.target(), token, g.header()));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            RawHttp.Head head = RawHttp.readHead(in);
            if (head.status() >= 500) {
                serverErrors.incrementAndGet();
                return head.status() + " " + RawHttp.readBody(in, head);
            }
            if (head.status() == 200) {
                RawHttp.SseReader sse = new RawHttp.SseReader(RawHttp.body(in, head));
                Event ready = nextNonHeartbeat(sse);
                if (ready == null || !ready.event().equals("ready") || ready.json().getBoolean("resumed", true)) {
                    return "began with " + ready;
                }
                Event reset = nextNonHeartbeat(sse);
                if (reset == null || !reset.event().equals("reset") || !g.reasons().contains(reset.json().getString("reason"))) {
                    return "after ready: " + reset + " (expected a reset for " + g.reasons() + ")";
                }
                return null;
            }
            if (head.status() == 400) {
                String body = RawHttp.readBody(in, head);
                if (body.isEmpty() && g.unparseable()) {
                    return null; // the codec's refusal of a malformed header line; see Garbage.unparseable
                }
                boolean problem = head.header("content-type").startsWith("application/problem+json")
                        && new JsonObject(body).getInteger("status", 0) == 400;
                return problem ? null : "400 without problem+json: " + body;
            }
            return head.status() + " " + head.headers();
        } catch (SocketTimeoutException e) {
            return "no answer within 10 s";
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    private static Event nextNonHeartbeat(RawHttp.SseReader sse) throws IOException {
        Event e;
        do {
            e = sse.next();
        } while (e != null && e.event().equals("heartbeat"));
        return e;
    }

    /**
     * The secret the gateway signs cursors with: whichever of the candidates (the one in the
     * cluster's environment, or the dev profile's default) verifies a cursor it issued, with the
     * topology of local-stack's topics. Needed for the validly signed garbage.
     */
    private static String activeSecret(String issued) {
        for (String secret : List.of(Cluster.get().gatewayEnv.get("EVENTLINE_STREAM_SECRET"),
                "dev-only-stream-secret-do-not-use-in-production")) {
            if (codec(secret, TOPOLOGY).decode(issued).ok()) {
                return secret;
            }
        }
        throw new AssertionError("no candidate secret verifies the gateway's cursor " + issued);
    }

    private static CursorCodec codec(String secret, Topology topology) {
        return new CursorCodec(new Signer("cursor", secret, List.of()), topology);
    }

    private static List<Garbage> garbage(int count, String valid, String secret, Random random) {
        CursorCodec active = codec(secret, TOPOLOGY);
        long[] offsets = active.decode(valid).offsets();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        List<Garbage> out = new ArrayList<>();
        for (int k = 0; out.size() < count; k++) {
            switch (k % 12) {
                case 0 -> out.add(header("random bytes", legal(random, 1 + random.nextInt(300))));
                case 1 -> out.add(header("control bytes", withControls(random, 1 + random.nextInt(100))));
                case 2 -> out.add(header("huge", ascii(base64Chars(random, HUGE[random.nextInt(HUGE.length)]))));
                case 3, 4 -> {
                    byte[] raw = Base64.getUrlDecoder().decode(valid);
                    int bit = random.nextInt(raw.length * 8);
                    raw[bit / 8] ^= (byte) (1 << (bit % 8));
                    out.add(header("flipped bit", ascii(b64.encodeToString(raw))));
                }
                case 5 -> out.add(header("other secret",
                        ascii(codec("another-deployment-" + UUID.randomUUID(), TOPOLOGY).encode(offsets))));
                case 6 -> out.add(header("truncated", ascii(valid.substring(0, 1 + random.nextInt(valid.length() - 1)))));
                case 7 -> {
                    Topology other = new Topology(Map.of("eventline.events", 3, "eventline.messages", 3,
                            "eventline.notifications", 3), Cursors.TOPICS);
                    String signedForOther = codec(secret, other).encode(new long[other.size()]);
                    out.add(header("other topology", ascii(signedForOther)));
                }
                case 8 -> {
                    byte[] raw = new byte[5 + offsets.length + Signer.MAC_BYTES];
                    random.nextBytes(raw);
                    raw[0] = 1;
                    out.add(header("cursor-shaped random", ascii(b64.encodeToString(raw))));
                }
                case 9 -> {
                    StringBuilder q = new StringBuilder("/api/stream?lastEventId=");
                    for (byte b : legal(random, 1 + random.nextInt(200))) {
                        q.append('%').append(String.format("%02X", b & 0xff));
                    }
                    out.add(new Garbage("query parameter", q.toString(), null, INVALID));
                }
                case 10 -> out.add(new Garbage("malformed query", "/api/stream?lastEventId=%zz%" + random.nextInt(10),
                        null, INVALID));
                default -> {
                    long[] beyond = offsets.clone();
                    for (int i = 0; i < beyond.length; i++) {
                        beyond[i] += 1_000_000_000L;
                    }
                    out.add(new Garbage("validly signed, unknown position", "/api/stream", ascii(active.encode(beyond)),
                            Set.of("unknown-position")));
                }
            }
        }
        return out;
    }

    private static Garbage header(String kind, byte[] value) {
        return new Garbage(kind, "/api/stream", value, INVALID);
    }

    /** Bytes allowed in an HTTP field value (visible ASCII, obs-text, inner spaces), none of them a cursor. */
    private static byte[] legal(Random random, int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            int pick = random.nextInt(10);
            if (pick == 0 && i > 0 && i < n - 1) {
                out[i] = ' ';
            } else if (pick < 4) {
                out[i] = (byte) (0x80 + random.nextInt(0x80));
            } else {
                out[i] = (byte) (0x21 + random.nextInt(0x7f - 0x21));
            }
        }
        return out;
    }

    /** Like {@link #legal}, with control bytes (never CR or LF, which would end the header) in it. */
    private static byte[] withControls(Random random, int n) {
        byte[] out = legal(random, n);
        byte[] controls = { 0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f };
        out[random.nextInt(n)] = controls[random.nextInt(controls.length)];
        for (int i = 0; i < n / 8; i++) {
            out[random.nextInt(n)] = controls[random.nextInt(controls.length)];
        }
        return out;
    }

    private static String base64Chars(Random random, int n) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        StringBuilder s = new StringBuilder(n);
        while (s.length() < n) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String printable(Garbage g) {
        String value = g.header() == null ? g.target() : new String(g.header(), StandardCharsets.ISO_8859_1);
        value = value.replaceAll("\\p{Cntrl}", "?");
        return value.length() > 80 ? value.substring(0, 80) + "… (" + value.length() + " chars)" : value;
    }

    private static String kinds(Map<String, int[]> byKind) {
        StringBuilder s = new StringBuilder("(");
        byKind.forEach((k, n) -> s.append(s.length() > 1 ? ", " : "").append(n[0]).append(' ').append(k));
        return s.append(')').toString();
    }

    private static boolean zero(String url) {
        return Metrics.value(url, "eventline_stream_open") == 0 && Metrics.value(url, "eventline_stream_subscriptions") == 0
                && Metrics.value(url, "eventline_stream_queued_bytes") == 0;
    }

    private static double heap(String url) {
        return Metrics.value(url, "jvm_memory_used_bytes", "area=\"heap\"");
    }
}
