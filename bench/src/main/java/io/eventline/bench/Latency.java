package io.eventline.bench;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;

import io.eventline.bench.Api.Answer;
import io.eventline.bench.Api.Persona;
import io.eventline.changerecord.Audience;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The {@code latency} scenario. Streams across partners, admins and users (5 per person); mixed
 * real API calls through the gateway at a fixed rate: create, submit, approve, book, message. For
 * each write, the time from its HTTP response to the SSE event at each subscriber in the record's
 * audience. The run is four steps ({@link #go}): fixtures, streams, writes, report; what it sees is
 * kept by one {@link Ledger}.
 */
final class Latency {

    /** The records the writes make; anything else (notifications, read state) is counted as derived. */
    private static final Set<String> MEASURED = Set.of("event.created", "event.submitted", "event.approved",
            "booking.confirmed", "message.sent");
    private static final int PER_PERSON = 5;

    /** The people of the run, by role. */
    private record Cast(List<Persona> partners, List<Persona> admins, List<Persona> users) {
        static Cast of(int people) {
            int partners = Math.max(2, people / 5);
            int admins = Math.max(1, people / 20);
            return new Cast(Api.personas("lat", "partner", partners), Api.personas("lat", "admin", admins),
                    Api.personas("lat", "user", people - partners - admins));
        }

        List<Persona> everyone() {
            List<Persona> all = new ArrayList<>(partners);
            all.addAll(admins);
            all.addAll(users);
            return all;
        }
    }

    /** What the writes work on: approved events to book, a conversation per user with a partner. */
    private record Fixtures(List<String> approved, List<Conversation> conversations) {
    }

    private record Conversation(String id, Persona user, Persona partner) {
    }

    /** The open streams: who holds stream {@code i}. */
    private record Streams(List<Persona> holders) {
        int count() {
            return holders.size();
        }
    }

    /** The writer's own event loop, so that a write's answer is timed when it arrives, not behind SSE parsing. */
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    /** The streams' event loops. */
    private final Vertx readers = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final int people;
    private final int rate;
    private final int seconds;
    private final Random random = new Random(42);
    private final Ledger ledger;

    private Latency(int people, int rate, int seconds) {
        this.people = people;
        this.rate = rate;
        this.seconds = seconds;
        this.ledger = new Ledger(seconds + 30);
    }

    static void run(boolean smoke, Path results) throws Exception {
        new Latency(smoke ? 20 : 200, smoke ? 20 : 100, smoke ? 5 : 60).go(smoke, results);
    }

    private void go(boolean smoke, Path results) throws Exception {
        Report report = new Report("latency", results, smoke);
        try (BenchStack stack = BenchStack.start("latency", 1)) {
            int port = stack.gateway(0).port();
            Api api = new Api(vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(200)
                    .setKeepAlive(true).setMaxWaitQueueSize(-1).setConnectTimeout(10_000)), port);
            Cast cast = Cast.of(people);
            Fixtures fixtures = fixtures(api, cast);
            Streams streams = openStreams(port, cast.everyone());
            ClientPriority.raise(); // the writer's and the readers' event loops run now
            int management = stack.gateway(0).managementPort();
            GatewayMetrics.Scrape before = GatewayMetrics.scrape(management);
            double writeSeconds = write(api, cast, fixtures);
            Thread.sleep(3000); // the drain: the last records still on their way (bounded; counted as missing otherwise)
            report.json.put("gatewayHops", GatewayMetrics.breakdown(before, GatewayMetrics.scrape(management)));
            publish(report, port, cast, streams, writeSeconds);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            readers.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static Fixtures fixtures(Api api, Cast cast) throws Exception {
        System.out.println("▸ fixtures: approved events and conversations …");
        List<String> approved = new ArrayList<>();
        for (int i = 0; i < cast.partners().size(); i++) {
            Answer a = await(api.call("POST", "/api/events", cast.partners().get(i), Api.newEvent("bench fixture").put("submit", true)));
            String id = a.body().getString("id");
            await(api.call("POST", "/api/events/" + id + "/approve", cast.admins().get(i % cast.admins().size()), null));
            approved.add(id);
        }
        List<Conversation> conversations = new ArrayList<>();
        for (int u = 0; u < cast.users().size(); u++) {
            Persona user = cast.users().get(u);
            Persona partner = cast.partners().get(u % cast.partners().size());
            Answer a = await(api.call("POST", "/api/conversations", user,
                    new JsonObject().put("participantIds", new JsonArray().add(partner.sub()))));
            conversations.add(new Conversation(a.body().getString("id"), user, partner));
        }
        return new Fixtures(approved, conversations);
    }

    /** {@link #PER_PERSON} streams for each person, each ready before this returns. */
    private Streams openStreams(int port, List<Persona> everyone) throws InterruptedException {
        List<Persona> holders = new ArrayList<>();
        everyone.forEach(p -> holders.addAll(Collections.nCopies(PER_PERSON, p)));
        System.out.println("▸ opening " + holders.size() + " streams …");
        HttpClient client = readers.createHttpClient(new HttpClientOptions().setMaxPoolSize(holders.size() + 100)
                .setKeepAlive(true).setMaxWaitQueueSize(-1).setConnectTimeout(10_000).setPoolEventLoopSize(2));
        Sse sse = new Sse(client);
        CountDownLatch ready = new CountDownLatch(holders.size());
        Sse.Listener listener = (stream, e, nanos) -> {
            if (e.event().equals("ready")) {
                ready.countDown();
            } else if (!e.event().equals("heartbeat")) {
                onDelivery(stream, e, nanos);
            }
        };
        for (int i = 0; i < holders.size(); i++) {
            Persona p = holders.get(i);
            Sse.Stream s = new Sse.Stream(i, p.sub());
            sse.open(s, port, "/api/stream", Map.of("Authorization", "Bearer " + p.token()), listener)
                    .onFailure(e -> System.err.println("stream " + s.index + ": " + e.getMessage()));
        }
        if (!ready.await(120, TimeUnit.SECONDS)) {
            throw new BenchStack.BenchException(ready.getCount() + " of " + holders.size() + " streams did not become ready in 120 s");
        }
        return new Streams(holders);
    }

    /** {@link #rate} writes a second for {@link #seconds}, each timed by its answer; the seconds it took. */
    private double write(Api api, Cast cast, Fixtures fixtures) throws Exception {
        System.out.printf(Locale.ROOT, "▸ %d writes/s for %d s …%n", rate, seconds);
        Pipeline pipeline = new Pipeline(api, cast, fixtures);
        long start = ledger.start();
        long total = (long) rate * seconds;
        CompletableFuture<Void> done = new CompletableFuture<>();
        long[] sent = { 0 };
        long[] answered = { 0 };
        vertx.runOnContext(v -> vertx.setPeriodic(1, 1000 / Math.min(rate, 1000), id -> {
            long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L + 1);
            while (sent[0] < due) {
                sent[0]++;
                pipeline.next().onComplete(x -> {
                    if (++answered[0] == total) {
                        done.complete(null);
                    }
                });
            }
            if (sent[0] >= total) {
                vertx.cancelTimer(id);
            }
        }));
        done.get(seconds + 120L, TimeUnit.SECONDS);
        return (System.nanoTime() - start) / 1e9;
    }

    /** The writes: a create → submit → approve pipeline, bookings and messages. Runs on the writer's loop only. */
    private final class Pipeline {
        private final Api api;
        private final Cast cast;
        private final Fixtures fixtures;
        private final ArrayDeque<Draft> drafts = new ArrayDeque<>();
        private final ArrayDeque<String> pending = new ArrayDeque<>();

        private record Draft(String id, Persona partner) {
        }

        Pipeline(Api api, Cast cast, Fixtures fixtures) {
            this.api = api;
            this.cast = cast;
            this.fixtures = fixtures;
        }

        Future<?> next() {
            int pick = random.nextInt(5);
            if (pick == 1 && drafts.isEmpty() || pick == 2 && pending.isEmpty()) {
                pick = 0;
            }
            switch (pick) {
                case 0 -> {
                    Persona partner = pick(cast.partners());
                    return track("create", partner, api.call("POST", "/api/events", partner, Api.newEvent("bench")),
                            a -> drafts.add(new Draft(a.body().getString("id"), partner)));
                }
                case 1 -> {
                    Draft d = drafts.poll();
                    return track("submit", d.partner(), api.call("POST", "/api/events/" + d.id() + "/submit", d.partner(), null),
                            a -> pending.add(d.id()));
                }
                case 2 -> {
                    Persona admin = pick(cast.admins());
                    return track("approve", admin, api.call("POST", "/api/events/" + pending.poll() + "/approve", admin, null), null);
                }
                case 3 -> {
                    Persona user = pick(cast.users());
                    return track("book", user, api.call("POST", "/api/events/" + pick(fixtures.approved()) + "/bookings", user,
                            new JsonObject().put("seats", 1)), null);
                }
                default -> {
                    Conversation c = pick(fixtures.conversations());
                    Persona sender = random.nextBoolean() ? c.user() : c.partner();
                    return track("message", sender, api.call("POST", "/api/conversations/" + c.id() + "/messages", sender,
                            new JsonObject().put("body", "hello")), null);
                }
            }
        }

        private <T> T pick(List<T> from) {
            return from.get(random.nextInt(from.size()));
        }

        private Future<Answer> track(String type, Persona who, Future<Answer> call, Consumer<Answer> then) {
            ledger.sent(type);
            return call.onComplete(ar -> {
                if (ar.failed() || !ar.result().ok()) {
                    ledger.failed(type + " " + (ar.failed() ? ar.cause().getClass().getSimpleName() : ar.result().status()));
                    return;
                }
                Answer a = ar.result();
                ledger.answered(key(a.body()), type, who, a.nanos());
                if (then != null) {
                    then.accept(a);
                }
            });
        }
    }

    /** The record's subject and aggregate version, from the write's answer (a message's are its conversation and seq). */
    private static String key(JsonObject resource) {
        if (resource.containsKey("conversationId") && resource.containsKey("seq")) {
            return resource.getString("conversationId") + "/" + resource.getValue("seq");
        }
        Object version = resource.getValue("version");
        return resource.getString("id") + "/" + (version == null ? "-" : version);
    }

    /**
     * Reads only the envelope's {@code subject}, {@code aggregateversion} and {@code audience}
     * (they come before {@code data}), without parsing the JSON: at 20 000 deliveries a second on
     * the same two cores as the system under test, a full parse per delivery made the client the
     * bottleneck.
     */
    private void onDelivery(Sse.Stream stream, Sse.Event e, long nanos) {
        String json = e.data();
        int dataAt = json.indexOf("\"data\":");
        String head = dataAt < 0 ? json : json.substring(0, dataAt);
        String subject = field(head, "subject", true);
        if (!MEASURED.contains(e.event()) || subject == null) {
            ledger.derived(nanos);
            return;
        }
        String version = field(head, "aggregateversion", false);
        String key = subject + "/" + (version == null || version.isEmpty() ? "-" : version);
        ledger.delivered(key, stream.index, field(head, "audience", true), nanos);
    }

    /** A string or number field of a flat JSON prefix, or null. */
    static String field(String json, String name, boolean string) {
        String k = "\"" + name + "\":" + (string ? "\"" : "");
        int i = json.indexOf(k);
        if (i < 0) {
            return null;
        }
        int from = i + k.length();
        int to = from;
        while (to < json.length() && (string ? json.charAt(to) != '"' : Character.isDigit(json.charAt(to)))) {
            to++;
        }
        return json.substring(from, to);
    }

    private void publish(Report report, int port, Cast cast, Streams streams, double writeSeconds) throws Exception {
        // A consistent snapshot: the streams are still open and deliver (notifications, heartbeats).
        Ledger.Snapshot s = ledger.snapshot(streams);
        report.json.put("setup", new JsonObject().put("streams", streams.count()).put("people", cast.everyone().size())
                .put("partners", cast.partners().size()).put("admins", cast.admins().size()).put("users", cast.users().size())
                .put("streamsPerPerson", PER_PERSON).put("writesPerSecond", rate).put("seconds", seconds)
                .put("gateways", 1))
                .put("writeSeconds", writeSeconds).put("writes", new JsonObject(new LinkedHashMap<>(s.writeCounts())))
                .put("errors", new JsonObject(new LinkedHashMap<>(s.errors())))
                .put("latency", Report.latency(s.all())).put("result", s.result());
        JsonObject per = new JsonObject();
        s.byType().forEach((t, h) -> per.put(t, Report.latency(h)));
        report.json.put("latencyByType", per);
        report.json.put("targets", new JsonObject().put("p50ms", 10).put("p99ms", 50)
                .put("met", s.all().getValueAtPercentile(50) <= 10_000 && s.all().getValueAtPercentile(99) <= 50_000));
        Map<String, Histogram> chart = new LinkedHashMap<>();
        chart.put("all deliveries", s.all());
        chart.putAll(s.byType());
        report.percentileChart("-latency", "latency: write response → SSE event at each subscriber", chart);
        double[][] tput = new double[(int) Math.ceil(writeSeconds) + 3][2];
        for (int i = 0; i < tput.length; i++) {
            tput[i][0] = i;
            tput[i][1] = i < s.perSecond().length ? s.perSecond()[i] : 0;
        }
        report.timeChart("-throughput", "deliveries per second", "deliveries/s", Map.of("deliveries", tput));
        report.write();
        Histogram all = s.all();
        System.out.printf(Locale.ROOT, "latency: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms over %d deliveries; missing %d, duplicates %d, errors %s%n",
                all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0,
                all.getValueAtPercentile(99.9) / 1000.0, all.getMaxValue() / 1000.0, all.getTotalCount(),
                s.result().getLong("missing"), s.result().getLong("duplicates"), s.errors());
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /**
     * What the run saw: each write's answer and each delivery, matched by record key (subject and
     * aggregate version), with the latencies and the counts. The writer's loop and the readers' loops
     * share it; every method holds its monitor.
     */
    private static final class Ledger {

        private record Write(String type, Persona who, long nanos) {
        }

        /** A consistent copy, taken while the streams still deliver. */
        record Snapshot(JsonObject result, Histogram all, Map<String, Histogram> byType, Map<String, Integer> writeCounts,
                Map<String, Integer> errors, long[] perSecond) {
        }

        private final Map<String, Write> writes = new HashMap<>();
        /** Deliveries seen before their write's answer: key → (stream, nanos) pairs. */
        private final Map<String, List<long[]>> early = new HashMap<>();
        private final Map<String, BitSet> received = new HashMap<>();
        private final Map<String, String> audiences = new HashMap<>();
        private final Map<String, Histogram> byType = new LinkedHashMap<>();
        private final Histogram all = Report.histogram();
        private final Map<String, Integer> errors = new LinkedHashMap<>();
        private final Map<String, Integer> writeCounts = new LinkedHashMap<>();
        private final long[] perSecond;
        private long runStart;
        private long deliveries;
        private long duplicates;
        private long derived;
        private long beforeResponse;

        Ledger(int maxSeconds) {
            this.perSecond = new long[maxSeconds];
        }

        synchronized long start() {
            runStart = System.nanoTime();
            return runStart;
        }

        synchronized void sent(String type) {
            writeCounts.merge(type, 1, Integer::sum);
        }

        synchronized void failed(String what) {
            errors.merge(what, 1, Integer::sum);
        }

        synchronized void answered(String key, String type, Persona who, long nanos) {
            writes.put(key, new Write(type, who, nanos));
            List<long[]> seen = early.remove(key);
            if (seen != null) {
                for (long[] s : seen) {
                    record(type, s[1] - nanos);
                }
            }
        }

        /** A delivery of a record no write of the run is timed by (notifications, read state). */
        synchronized void derived(long nanos) {
            count(nanos);
            derived++;
        }

        synchronized void delivered(String key, int stream, String audience, long nanos) {
            count(nanos);
            BitSet got = received.computeIfAbsent(key, k -> new BitSet());
            if (got.get(stream)) {
                duplicates++;
                return;
            }
            got.set(stream);
            audiences.putIfAbsent(key, audience == null ? "" : audience);
            Write w = writes.get(key);
            if (w != null) {
                record(w.type(), nanos - w.nanos());
            } else {
                early.computeIfAbsent(key, k -> new ArrayList<>()).add(new long[] { stream, nanos });
            }
        }

        private void count(long nanos) {
            deliveries++;
            int second = (int) ((nanos - runStart) / 1_000_000_000L);
            if (runStart > 0 && second >= 0 && second < perSecond.length) {
                perSecond[second]++;
            }
        }

        private void record(String type, long nanos) {
            if (nanos < 0) {
                beforeResponse++;
                nanos = 0;
            }
            long micros = nanos / 1000;
            all.recordValue(micros);
            byType.computeIfAbsent(type, t -> Report.histogram()).recordValue(micros);
        }

        synchronized Snapshot snapshot(Streams streams) {
            Map<String, Histogram> types = new LinkedHashMap<>();
            byType.forEach((t, h) -> types.put(t, h.copy()));
            return new Snapshot(summary(streams), all.copy(), types, new LinkedHashMap<>(writeCounts),
                    new LinkedHashMap<>(errors), perSecond.clone());
        }

        /** Missing: for each write's record, the streams its audience admits that did not get it. */
        private JsonObject summary(Streams streams) {
            long missing = 0;
            long neverDelivered = 0;
            for (Map.Entry<String, Write> w : writes.entrySet()) {
                String audience = audiences.get(w.getKey());
                BitSet got = received.getOrDefault(w.getKey(), new BitSet());
                Persona writer = w.getValue().who();
                if (audience == null) {
                    neverDelivered++;
                }
                Audience admitted = audience == null || audience.isBlank() ? null : Audience.parse(audience);
                for (int i = 0; i < streams.count(); i++) {
                    Persona holder = streams.holders().get(i);
                    // A record never delivered is missing at least at the writer's own streams.
                    boolean expected = audience == null ? holder.sub().equals(writer.sub())
                            : admitted != null && admitted.admits(holder.sub(), holder.role());
                    if (expected && !got.get(i)) {
                        missing++;
                    }
                }
            }
            return new JsonObject().put("deliveries", deliveries).put("measuredDeliveries", all.getTotalCount())
                    .put("derivedDeliveries", derived).put("missing", missing).put("writesNeverDelivered", neverDelivered)
                    .put("duplicates", duplicates).put("unmatchedEarlyKeys", early.size()).put("deliveredBeforeResponse", beforeResponse);
        }
    }
}
