package io.eventline.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import io.eventline.bench.Api.Answer;
import io.eventline.bench.Api.Persona;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The {@code polling} scenario: N users polling as a page without streams would (GET the catalog every 30 s with
 * If-None-Match) against the same N users on streams, while an admin approves a new event every
 * second. Time is compressed 10×: the polls come every 3 s, and the polling figures are scaled
 * back to the 30 s design (staleness × 10, requests/s ÷ 10); stream figures need no scaling.
 */
final class Polling {

    static final int COMPRESSION = 10;
    static final double DESIGN_INTERVAL_S = 30;

    private Polling() {
    }

    static void run(boolean smoke, Path results) throws Exception {
        int n = smoke ? 10 : 500;
        int seconds = smoke ? 8 : 60;
        double interval = DESIGN_INTERVAL_S / COMPRESSION;
        Report report = new Report("polling", results, smoke);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        try (BenchStack stack = BenchStack.start("polling", 1)) {
            int port = stack.gateway(0).port();
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(2 * n + 50).setKeepAlive(true)
                    .setMaxWaitQueueSize(-1));
            Api api = new Api(client, port);
            Persona partner = Api.personas("poll", "partner", 1).get(0);
            Persona admin = Api.personas("poll", "admin", 1).get(0);
            List<Persona> pollers = Api.personas("poll", "user", n);
            List<Persona> streamers = Api.personas("stream", "user", n);
            Map<String, Long> approvedAt = new ConcurrentHashMap<>();
            ConcurrentHistogram pollStale = new ConcurrentHistogram(3_600_000_000L, 3);
            ConcurrentHistogram streamStale = new ConcurrentHistogram(3_600_000_000L, 3);
            AtomicLong pollRequests = new AtomicLong();
            AtomicLong notModified = new AtomicLong();
            AtomicLong streamRequests = new AtomicLong();
            // When each client first saw each event (resolved against approvedAt at the end, since a
            // change can be seen before the approving call's answer has been read).
            Map<String, ConcurrentLinkedQueue<Long>> pollSeen = new ConcurrentHashMap<>();
            Map<String, ConcurrentLinkedQueue<Long>> streamSeen = new ConcurrentHashMap<>();

            // Streams: one per user; the list is loaded once when it opens (that is the only request).
            Sse sse = new Sse(client);
            CountDownLatch ready = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                Persona p = streamers.get(i);
                streamRequests.incrementAndGet();
                api.call("GET", "/api/events?limit=100", p, null);
                Sse.Listener l = (s, e, nanos) -> {
                    if (e.event().equals("ready")) {
                        ready.countDown();
                    } else if (e.event().equals("event.approved")) {
                        streamSeen.computeIfAbsent(new JsonObject(e.data()).getString("subject"), k -> new ConcurrentLinkedQueue<>())
                                .add(nanos);
                    }
                };
                sse.open(new Sse.Stream(i, p.sub()), port, "/api/stream", Map.of("Authorization", "Bearer " + p.token()), l);
            }
            if (!ready.await(120, TimeUnit.SECONDS)) {
                throw new BenchStack.BenchException(ready.getCount() + " streams did not open");
            }
            ClientPriority.raise(); // the pollers' and the streams' event loops run now

            // Pollers: staggered over one interval, each with its ETag and the ids it has seen.
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long firstCounted = start + (long) (interval * 1e9); // after everyone's first poll
            for (int i = 0; i < n; i++) {
                Persona p = pollers.get(i);
                String[] etag = { null };
                Set<String> seen = new HashSet<>();
                long offset = (long) (interval * 1000 * i / n);
                vertx.setTimer(1 + offset, t -> poll(vertx, api, p, etag, seen, pollSeen, pollRequests, notModified,
                        interval, end));
            }

            // The changes: a new approved event every second.
            System.out.printf(Locale.ROOT, "▸ %d pollers (every %.0f s, standing for %.0f s) and %d streams for %d s …%n", n,
                    interval, DESIGN_INTERVAL_S, n, seconds);
            long requestsAtStart = pollRequests.get();
            while (System.nanoTime() < end - 2_000_000_000L) {
                long t = System.nanoTime();
                Answer created = api.call("POST", "/api/events", partner, Api.newEvent("poll").put("submit", true))
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                String id = created.body().getString("id");
                Answer a = api.call("POST", "/api/events/" + id + "/approve", admin, null).toCompletionStage()
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
                if (a.ok() && t > firstCounted) {
                    approvedAt.put(id, a.nanos());
                }
                long sleep = 1_000_000_000L - (System.nanoTime() - t);
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000);
                }
            }
            Thread.sleep((long) (interval * 1000) + 2000); // let the last polls see the last change
            resolve(pollSeen, approvedAt, pollStale);
            resolve(streamSeen, approvedAt, streamStale);
            double window = (end - start) / 1e9;
            double pollPerSec = (pollRequests.get() - requestsAtStart) / window;
            Histogram ps = pollStale.copy();
            Histogram ss = streamStale.copy();
            JsonObject polling = new JsonObject().put("clients", n).put("intervalSecondsCompressed", interval)
                    .put("requests", pollRequests.get()).put("notModified", notModified.get())
                    .put("requestsPerSecondCompressed", round(pollPerSec))
                    .put("requestsPerSecondAt30s", round(pollPerSec / COMPRESSION))
                    .put("stalenessCompressed", Report.latency(ps))
                    .put("stalenessMedianMsAt30s", round(ps.getValueAtPercentile(50) / 1000.0 * COMPRESSION))
                    .put("stalenessP99MsAt30s", round(ps.getValueAtPercentile(99) / 1000.0 * COMPRESSION));
            JsonObject streams = new JsonObject().put("clients", n).put("requestsDuringWindow", 0)
                    .put("initialLoads", streamRequests.get()).put("staleness", Report.latency(ss));
            double perHourPolling = n * 3600 / DESIGN_INTERVAL_S;
            double perHourStreams = streamRequests.get();
            double staleRatio = ps.getValueAtPercentile(50) * COMPRESSION / (double) Math.max(1, ss.getValueAtPercentile(50));
            report.json.put("setup", new JsonObject().put("clients", n).put("seconds", seconds).put("compression", COMPRESSION)
                    .put("changesPerSecond", 1))
                    .put("polling", polling).put("streams", streams)
                    .put("ratios", new JsonObject()
                            .put("backendRequestsPerHour", new JsonObject().put("polling", perHourPolling).put("streams", perHourStreams)
                                    .put("ratio", round(perHourPolling / Math.max(1, perHourStreams))))
                            .put("medianStaleness", round(staleRatio)))
                    .put("targets", new JsonObject().put("requestsRatio", 100).put("stalenessRatio", 1000)
                            .put("met", perHourPolling / Math.max(1, perHourStreams) >= 100 && staleRatio >= 1000));
            Map<String, Histogram> chart = new LinkedHashMap<>();
            Histogram scaled = Report.histogram();
            for (var v : ps.recordedValues()) {
                scaled.recordValueWithCount(v.getValueIteratedTo() * COMPRESSION, v.getCountAtValueIteratedTo());
            }
            chart.put("polling every 30 s (scaled from 3 s)", scaled);
            chart.put("streams", ss);
            report.percentileChart("-staleness", "staleness: change committed → seen by the client", chart);
            report.write();
            System.out.printf(Locale.ROOT, "polling: %.1f req/s at 30 s, median staleness %.0f ms; streams: 0 req/s after %d initial loads, median staleness %.1f ms; ratios: requests/hour %.0f×, staleness %.0f×%n",
                    pollPerSec / COMPRESSION, ps.getValueAtPercentile(50) / 1000.0 * COMPRESSION, streamRequests.get(),
                    ss.getValueAtPercentile(50) / 1000.0, perHourPolling / Math.max(1, perHourStreams), staleRatio);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void resolve(Map<String, ConcurrentLinkedQueue<Long>> seen, Map<String, Long> approvedAt, ConcurrentHistogram h) {
        approvedAt.forEach((id, at) -> {
            for (long t : seen.getOrDefault(id, new ConcurrentLinkedQueue<>())) {
                h.recordValue(Math.max(0, (t - at) / 1000));
            }
        });
    }

    private static void poll(Vertx vertx, Api api, Persona p, String[] etag, Set<String> seen,
            Map<String, ConcurrentLinkedQueue<Long>> firstSeen, AtomicLong requests, AtomicLong notModified, double interval, long end) {
        if (System.nanoTime() > end + (long) (interval * 1e9)) {
            return;
        }
        requests.incrementAndGet();
        api.call("GET", "/api/events?limit=100", p, null, etag[0]).onComplete(ar -> {
            if (ar.succeeded()) {
                Answer a = ar.result();
                if (a.status() == 304) {
                    notModified.incrementAndGet();
                } else if (a.ok()) {
                    etag[0] = a.etag();
                    JsonArray items = a.body().getJsonArray("items", new JsonArray());
                    for (int i = 0; i < items.size(); i++) {
                        String id = items.getJsonObject(i).getString("id");
                        if (seen.add(id)) {
                            firstSeen.computeIfAbsent(id, k -> new ConcurrentLinkedQueue<>()).add(a.nanos());
                        }
                    }
                }
            }
            vertx.setTimer((long) (interval * 1000), t -> poll(vertx, api, p, etag, seen, firstSeen, requests, notModified,
                    interval, end));
        });
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
