package io.eventline.bench;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import io.eventline.bench.Api.Answer;
import io.eventline.bench.Api.Persona;
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
 * audience. Everything on one Vert.x event loop, so the bookkeeping needs no locks.
 */
final class Latency {

    /** The records the writes make; anything else (notifications, read state) is counted as derived. */
    private static final java.util.Set<String> MEASURED = java.util.Set.of("event.created", "event.submitted",
            "event.approved", "booking.confirmed", "message.sent");

    private record Write(String type, Persona who, long nanos) {
    }

    /** The writer's own event loop, so that a write's answer is timed when it arrives, not behind SSE parsing. */
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    /** The streams' event loops. */
    private final Vertx readers = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    /** Guards the bookkeeping, shared by the writer's loop and the readers' loops. */
    private final Object lock = new Object();
    private final int people;
    private final int perPerson = 5;
    private final int rate;
    private final int seconds;
    private final Random random = new Random(42);

    private final Map<String, Write> writes = new HashMap<>();
    /** Deliveries seen before their write's response: key → (stream, nanos) pairs. */
    private final Map<String, List<long[]>> early = new HashMap<>();
    private final Map<String, BitSet> received = new HashMap<>();
    private final Map<String, String> audiences = new HashMap<>();
    private final Map<String, Histogram> byType = new LinkedHashMap<>();
    private final Histogram all = Report.histogram();
    private final Map<String, Integer> errors = new LinkedHashMap<>();
    private final Map<String, Integer> writeCounts = new LinkedHashMap<>();
    private long deliveries;
    private long duplicates;
    private long derived;
    private long beforeResponse;
    private final long[] perSecond;
    private volatile long runStart;

    private Latency(int people, int rate, int seconds) {
        this.people = people;
        this.rate = rate;
        this.seconds = seconds;
        this.perSecond = new long[seconds + 30];
    }

    static void run(boolean smoke, Path results) throws Exception {
        new Latency(smoke ? 20 : 200, smoke ? 20 : 100, smoke ? 5 : 60).go(smoke, results);
    }

    private void go(boolean smoke, Path results) throws Exception {
        Report report = new Report("latency", results, smoke);
        try (BenchStack stack = BenchStack.start("latency", 1)) {
            int port = stack.gateway(0).port();
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(200)
                    .setKeepAlive(true).setMaxWaitQueueSize(-1).setConnectTimeout(10_000));
            HttpClient streamClient = readers.createHttpClient(new HttpClientOptions().setMaxPoolSize(people * perPerson + 100)
                    .setKeepAlive(true).setMaxWaitQueueSize(-1).setConnectTimeout(10_000).setPoolEventLoopSize(2));
            Api api = new Api(client, port);
            int partnersN = Math.max(2, people / 5), adminsN = Math.max(1, people / 20);
            List<Persona> partners = Api.personas("lat", "partner", partnersN);
            List<Persona> admins = Api.personas("lat", "admin", adminsN);
            List<Persona> users = Api.personas("lat", "user", people - partnersN - adminsN);
            List<Persona> everyone = new ArrayList<>(partners);
            everyone.addAll(admins);
            everyone.addAll(users);

            // Fixtures: approved events to book, one conversation per user with a partner.
            System.out.println("▸ fixtures: approved events and conversations …");
            List<String> approved = new ArrayList<>();
            List<String[]> conversations = new ArrayList<>(); // id, user index, partner index
            for (int i = 0; i < partners.size(); i++) {
                Persona p = partners.get(i);
                Answer a = await(api.call("POST", "/api/events", p, Api.newEvent("bench fixture").put("submit", true)));
                String id = a.body().getString("id");
                await(api.call("POST", "/api/events/" + id + "/approve", admins.get(i % admins.size()), null));
                approved.add(id);
            }
            for (int u = 0; u < users.size(); u++) {
                int p = u % partners.size();
                Answer a = await(api.call("POST", "/api/conversations", users.get(u),
                        new JsonObject().put("participantIds", new JsonArray().add(partners.get(p).sub()))));
                conversations.add(new String[] { a.body().getString("id"), Integer.toString(u), Integer.toString(p) });
            }

            // Streams.
            Map<String, List<Integer>> streamsOf = new HashMap<>();
            Map<String, List<Integer>> streamsOfRole = new HashMap<>();
            int streamCount = everyone.size() * perPerson;
            System.out.println("▸ opening " + streamCount + " streams …");
            Sse sse = new Sse(streamClient);
            CountDownLatch ready = new CountDownLatch(streamCount);
            int index = 0;
            for (Persona p : everyone) {
                for (int k = 0; k < perPerson; k++, index++) {
                    streamsOf.computeIfAbsent(p.sub(), x -> new ArrayList<>()).add(index);
                    streamsOfRole.computeIfAbsent(p.role(), x -> new ArrayList<>()).add(index);
                    Sse.Stream s = new Sse.Stream(index, p.sub());
                    Sse.Listener listener = (stream, e, nanos) -> {
                        if (e.event().equals("ready")) {
                            ready.countDown();
                        } else if (!e.event().equals("heartbeat")) {
                            onDelivery(stream, e, nanos);
                        }
                    };
                    sse.open(s, port, "/api/stream", Map.of("Authorization", "Bearer " + p.token()), listener)
                            .onFailure(e -> System.err.println("stream " + s.index + ": " + e.getMessage()));
                }
            }
            if (!ready.await(120, TimeUnit.SECONDS)) {
                throw new BenchStack.BenchException(ready.getCount() + " of " + streamCount + " streams did not become ready in 120 s");
            }
            ClientPriority.raise(); // the writer's and the readers' event loops run now

            // The writes: a create → submit → approve pipeline, bookings and messages.
            System.out.printf(Locale.ROOT, "▸ %d writes/s for %d s …%n", rate, seconds);
            ArrayDeque<String[]> drafts = new ArrayDeque<>(); // id, partner index
            ArrayDeque<String> pending = new ArrayDeque<>();
            runStart = System.nanoTime();
            long total = (long) rate * seconds;
            CompletableFuture<Void> done = new CompletableFuture<>();
            long[] sent = { 0 };
            long[] answered = { 0 };
            vertx.runOnContext(v -> vertx.setPeriodic(1, 1000 / Math.min(rate, 1000), id -> {
                long due = Math.min(total, (System.nanoTime() - runStart) * rate / 1_000_000_000L + 1);
                while (sent[0] < due) {
                    sent[0]++;
                    Future<?> f = write(api, partners, admins, users, approved, conversations, drafts, pending);
                    f.onComplete(x -> {
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
            double writeSeconds = (System.nanoTime() - runStart) / 1e9;
            Thread.sleep(3000); // the drain: the last records still on their way (bounded; counted as missing otherwise)
            // A consistent snapshot: the streams are still open and deliver (notifications, heartbeats).
            JsonObject s;
            Histogram allCopy;
            Map<String, Histogram> typeCopies = new LinkedHashMap<>();
            synchronized (lock) {
                s = summarise(streamsOf, streamsOfRole, streamCount);
                allCopy = all.copy();
                byType.forEach((t, h) -> typeCopies.put(t, h.copy()));
                s.put("duplicates", duplicates);
            }
            report.json.put("gatewayKafkaToSocket", GatewayMetrics.deliveryLatency(port));
            report.json.put("setup", new JsonObject().put("streams", streamCount).put("people", everyone.size())
                    .put("partners", partners.size()).put("admins", admins.size()).put("users", users.size())
                    .put("streamsPerPerson", perPerson).put("writesPerSecond", rate).put("seconds", seconds)
                    .put("gateways", 1))
                    .put("writeSeconds", writeSeconds).put("writes", new JsonObject(new LinkedHashMap<>(writeCounts)))
                    .put("errors", new JsonObject(new LinkedHashMap<>(errors)))
                    .put("latency", Report.latency(allCopy)).put("result", s);
            JsonObject per = new JsonObject();
            typeCopies.forEach((t, h) -> per.put(t, Report.latency(h)));
            report.json.put("latencyByType", per);
            report.json.put("targets", new JsonObject().put("p50ms", 10).put("p99ms", 50)
                    .put("met", allCopy.getValueAtPercentile(50) <= 10_000 && allCopy.getValueAtPercentile(99) <= 50_000));
            Map<String, Histogram> chart = new LinkedHashMap<>();
            chart.put("all deliveries", allCopy);
            chart.putAll(typeCopies);
            report.percentileChart("-latency", "latency: write response → SSE event at each subscriber", chart);
            double[][] tput = new double[(int) Math.ceil(writeSeconds) + 3][2];
            synchronized (lock) {
                for (int i = 0; i < tput.length; i++) {
                    tput[i][0] = i;
                    tput[i][1] = perSecond[i];
                }
            }
            report.timeChart("-throughput", "deliveries per second", "deliveries/s", Map.of("deliveries", tput));
            report.write();
            System.out.printf(Locale.ROOT, "latency: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms over %d deliveries; missing %d, duplicates %d, errors %s%n",
                    allCopy.getValueAtPercentile(50) / 1000.0, allCopy.getValueAtPercentile(99) / 1000.0,
                    allCopy.getValueAtPercentile(99.9) / 1000.0, allCopy.getMaxValue() / 1000.0, allCopy.getTotalCount(),
                    s.getLong("missing"), s.getLong("duplicates"), errors);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            readers.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private Future<?> write(Api api, List<Persona> partners, List<Persona> admins, List<Persona> users, List<String> approved,
            List<String[]> conversations, ArrayDeque<String[]> drafts, ArrayDeque<String> pending) {
        int pick = random.nextInt(5);
        if (pick == 1 && drafts.isEmpty() || pick == 2 && pending.isEmpty()) {
            pick = 0;
        }
        switch (pick) {
            case 0 -> {
                int p = random.nextInt(partners.size());
                return track("create", partners.get(p), api.call("POST", "/api/events", partners.get(p), Api.newEvent("bench")),
                        a -> drafts.add(new String[] { a.body().getString("id"), Integer.toString(p) }));
            }
            case 1 -> {
                String[] d = drafts.poll();
                return track("submit", partners.get(Integer.parseInt(d[1])),
                        api.call("POST", "/api/events/" + d[0] + "/submit", partners.get(Integer.parseInt(d[1])), null),
                        a -> pending.add(d[0]));
            }
            case 2 -> {
                Persona admin = admins.get(random.nextInt(admins.size()));
                String id = pending.poll();
                return track("approve", admin, api.call("POST", "/api/events/" + id + "/approve", admin, null), a -> {
                });
            }
            case 3 -> {
                Persona user = users.get(random.nextInt(users.size()));
                String event = approved.get(random.nextInt(approved.size()));
                return track("book", user, api.call("POST", "/api/events/" + event + "/bookings", user,
                        new JsonObject().put("seats", 1)), a -> {
                        });
            }
            default -> {
                String[] c = conversations.get(random.nextInt(conversations.size()));
                Persona sender = random.nextBoolean() ? users.get(Integer.parseInt(c[1])) : partners.get(Integer.parseInt(c[2]));
                return track("message", sender, api.call("POST", "/api/conversations/" + c[0] + "/messages", sender,
                        new JsonObject().put("body", "hello")), a -> {
                        });
            }
        }
    }

    private Future<Answer> track(String type, Persona who, Future<Answer> call, java.util.function.Consumer<Answer> then) {
        writeCounts.merge(type, 1, Integer::sum);
        return call.onComplete(ar -> {
            if (ar.failed() || !ar.result().ok()) {
                errors.merge(type + " " + (ar.failed() ? ar.cause().getClass().getSimpleName() : ar.result().status()), 1, Integer::sum);
                return;
            }
            Answer a = ar.result();
            String key = key(a.body());
            synchronized (lock) {
                writes.put(key, new Write(type, who, a.nanos()));
                List<long[]> seen = early.remove(key);
                if (seen != null) {
                    for (long[] s : seen) {
                        record(type, s[1] - a.nanos());
                    }
                }
            }
            then.accept(a);
        });
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
        String version = field(head, "aggregateversion", false);
        String audience = field(head, "audience", true);
        synchronized (lock) {
            onDelivery(stream, e, subject, version, audience, nanos);
        }
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

    private void onDelivery(Sse.Stream stream, Sse.Event e, String subject, String version, String audience, long nanos) {
        deliveries++;
        int second = (int) ((nanos - runStart) / 1_000_000_000L);
        if (runStart > 0 && second >= 0 && second < perSecond.length) {
            perSecond[second]++;
        }
        if (!MEASURED.contains(e.event()) || subject == null) {
            derived++;
            return;
        }
        String key = subject + "/" + (version == null || version.isEmpty() ? "-" : version);
        BitSet got = received.computeIfAbsent(key, k -> new BitSet());
        if (got.get(stream.index)) {
            duplicates++;
            return;
        }
        got.set(stream.index);
        audiences.putIfAbsent(key, audience == null ? "" : audience);
        Write w = writes.get(key);
        if (w != null) {
            record(w.type(), nanos - w.nanos());
        } else {
            early.computeIfAbsent(key, k -> new ArrayList<>()).add(new long[] { stream.index, nanos });
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

    /** Missing: for each write's record, the audience's streams that did not get it. */
    private JsonObject summarise(Map<String, List<Integer>> streamsOf, Map<String, List<Integer>> streamsOfRole, int streamCount) {
        long missing = 0;
        long neverDelivered = 0;
        for (Map.Entry<String, Write> w : writes.entrySet()) {
            String audience = audiences.get(w.getKey());
            BitSet got = received.getOrDefault(w.getKey(), new BitSet());
            if (audience == null) {
                neverDelivered++;
                missing += streamsOf.get(w.getValue().who().sub()).size(); // at least the writer's own streams
                continue;
            }
            BitSet expected = new BitSet(streamCount);
            for (String entry : audience.split(",")) {
                entry = entry.trim();
                if (entry.equals("public")) {
                    expected.set(0, streamCount);
                } else if (entry.startsWith("user:")) {
                    streamsOf.getOrDefault(entry.substring(5), List.of()).forEach(expected::set);
                } else if (entry.startsWith("role:")) {
                    streamsOfRole.getOrDefault(entry.substring(5), List.of()).forEach(expected::set);
                }
            }
            expected.andNot(got);
            missing += expected.cardinality();
        }
        return new JsonObject().put("deliveries", deliveries).put("measuredDeliveries", all.getTotalCount())
                .put("derivedDeliveries", derived).put("missing", missing).put("writesNeverDelivered", neverDelivered)
                .put("duplicates", duplicates).put("unmatchedEarlyKeys", early.size()).put("deliveredBeforeResponse", beforeResponse);
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
