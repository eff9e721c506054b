package io.eventline.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import org.HdrHistogram.Histogram;

import io.eventline.bench.peers.Nchan;
import io.eventline.bench.peers.Peer;
import io.eventline.bench.peers.Pushpin;
import io.eventline.launcher.ChildProcess;
import io.eventline.localstack.DevTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The {@code fanout} scenario: N open streams on one broadcast, messages published at a rate that
 * is stepped up until p99 delivery latency passes 250 ms (or deliveries go missing), against
 * Eventline (public records produced onto eventline.events, read by the gateway), Nchan (one
 * channel, EventSource subscribers, HTTP publish) and Pushpin (one GRIP channel, HTTP publish).
 * Same client, same machine, same run.
 */
final class Fanout {

    static final double P99_LIMIT_MS = 250;
    static final double WARM_SECONDS = 10;
    /** Every system runs at least up to this step (the last one in a smoke run), so the chart compares them all at the same offered load. */
    static final int COMPARED_RATE = 10;

    private static int compared(int[] rates) {
        return Math.min(COMPARED_RATE, rates[rates.length - 1]);
    }

    private Fanout() {
    }

    static void run(boolean smoke, Path results, List<String> systems) throws Exception {
        int n = smoke ? 100 : 10_000;
        int[] rates = smoke ? new int[] { 2, 5 } : new int[] { 2, 5, 10, 15, 20, 30, 40 };
        double stepSeconds = smoke ? 2 : 10;
        Report report = new Report("fanout", results, smoke);
        report.json.put("setup", new JsonObject().put("streams", n).put("ratesPerSecond", new JsonArray(toList(rates)))
                .put("stepSeconds", stepSeconds).put("p99LimitMs", P99_LIMIT_MS).put("clientEventLoops", 2));
        JsonObject bySystem = new JsonObject();
        Map<String, Histogram> chart = new LinkedHashMap<>();
        Map<String, double[][]> tput = new LinkedHashMap<>();
        for (String system : systems) {
            System.out.println("▸ fanout: " + system + ", " + n + " subscribers");
            JsonObject r = switch (system) {
                case "eventline" -> eventline(n, rates, stepSeconds, chart, tput);
                case "nchan", "pushpin" -> peer(system, n, rates, stepSeconds, chart, tput);
                case "trivial" -> peer(system, n, extended(rates, smoke), stepSeconds, chart, tput);
                default -> throw new BenchStack.BenchException("unknown system " + system);
            };
            bySystem.put(system, r);
        }
        report.json.put("systems", bySystem);
        JsonObject ratios = new JsonObject();
        double ours = best(bySystem, "eventline");
        for (String other : List.of("nchan", "pushpin")) {
            double theirs = best(bySystem, other);
            if (ours > 0 && theirs > 0) {
                ratios.put("eventline/" + other, Math.round(ours / theirs * 100) / 100.0);
            }
        }
        report.json.put("ratios", ratios);
        report.json.put("targets", new JsonObject().put("deliveriesPerSecond", 100_000).put("ratioVsNchan", 1.0)
                .put("met", ours >= 100_000 && ratios.getDouble("eventline/nchan", 0.0) >= 1.0));
        report.percentileChart("-latency", String.format(Locale.ROOT, "fanout: latency at %,d deliveries/s offered (%d messages/s × %,d streams), every system",
                (long) compared(rates) * n, compared(rates), n), chart);
        report.timeChart("-throughput", "fanout: deliveries per second over the ladder", "deliveries/s", tput);
        report.write();
        System.out.println("fanout: best sustained deliveries/s " + bestAll(bySystem) + ", ratios " + ratios.encode());
    }

    private static double best(JsonObject bySystem, String system) {
        JsonObject r = bySystem.getJsonObject(system);
        return r == null ? 0 : r.getDouble("bestSustainedDeliveriesPerSecond", 0.0);
    }

    private static String bestAll(JsonObject bySystem) {
        StringBuilder b = new StringBuilder();
        bySystem.forEach(e -> b.append(e.getKey()).append('=').append(best(bySystem, e.getKey())).append(' '));
        return b.toString().trim();
    }

    private static JsonObject eventline(int n, int[] rates, double stepSeconds, Map<String, Histogram> chart,
            Map<String, double[][]> tput) throws Exception {
        try (BenchStack stack = BenchStack.start("fanout", 1); Fleet fleet = new Fleet(2, n)) {
            int port = stack.gateway(0).port();
            int perUser = 10;
            List<String> tokens = new ArrayList<>();
            for (int u = 0; u < (n + perUser - 1) / perUser; u++) {
                tokens.add(DevTokens.mint("fan-" + u, "user", "Fan " + u, Duration.ofHours(4)));
            }
            fleet.open(n, port, i -> "/api/stream", i -> Map.of("Authorization", "Bearer " + tokens.get(i / perUser)),
                    i -> "fan-" + i / perUser, true, Duration.ofMinutes(3));
            long pid = stack.gateway(0).pid();
            try (Publishers.Publisher p = Publishers.kafka(stack.stack.kafkaBootstrapServers())) {
                return ladder("eventline", fleet, p, () -> List.of(pid), stack.gateway(0).managementPort(), n, rates, stepSeconds, chart, tput)
                        .put("version", "gateway " + version());
            }
        }
    }

    private static JsonObject peer(String name, int n, int[] rates, double stepSeconds,
            Map<String, Histogram> chart, Map<String, double[][]> tput) throws Exception {
        try (Fleet fleet = new Fleet(2, n)) {
            Path work = Path.of("bench/target/peers").resolve(name).toAbsolutePath();
            try (Peer peer = switch (name) {
                case "nchan" -> Nchan.start(fleet.vertx, work, Nchan.Mode.EVENTSOURCE);
                case "pushpin" -> Pushpin.start(fleet.vertx, work);
                default -> TrivialSource.start(fleet.vertx, work);
            }) {
                fleet.open(n, peer.port(), i -> peer.subscribePath(), i -> Map.of(), i -> "sub-" + i, false, Duration.ofMinutes(3));
                // Pushpin 1.36 cancels a few streams around their first messages ("received message out of
                // sequence"); a subscriber whose stream ends reconnects, as an EventSource would. Counted.
                java.util.concurrent.atomic.AtomicInteger reopened = new java.util.concurrent.atomic.AtomicInteger();
                fleet.onClose = s -> {
                    if (!fleet.closing) {
                        reopened.incrementAndGet();
                        fleet.vertx.setTimer(100, t -> {
                            if (!fleet.closing) {
                                fleet.sse.open(s, peer.port(), peer.subscribePath(), Map.of(), fleet.listener);
                            }
                        });
                    }
                };
                JsonObject r = ladder(name, fleet, Publishers.peer(peer), peer::pids, 0, n, rates, stepSeconds, chart, tput)
                        .put("version", peer.version());
                return r.put("streamsReconnected", reopened.get());
            }
        }
    }

    /**
     * The rate ladder: each step publishes for stepSeconds, then waits briefly for stragglers. It
     * stops after the first step not sustained, once past {@link #compared}; the chart shows
     * every system at that step. {@code gatewayPort}, the gateway's management port (0 for the
     * peers): each step records the gateway's own per-hop breakdown too.
     */
    static JsonObject ladder(String name, Fleet fleet, Publishers.Publisher p, Supplier<List<Long>> pids, int gatewayPort,
            int n, int[] rates, double stepSeconds, Map<String, Histogram> chart, Map<String, double[][]> tput)
            throws InterruptedException {
        warmUp(name, fleet, p);
        // Then the first rate for a while, untracked (seq 0): JIT and buffers warm, as in a server that has run.
        for (int i = 0; i < Math.round(rates[0] * WARM_SECONDS); i++) {
            p.publish(0);
            Thread.sleep(1000 / rates[0]);
        }
        JsonArray steps = new JsonArray();
        double best = 0;
        Histogram compared = null;
        int seq = 1;
        long ladderStart = System.nanoTime();
        fleet.perSecondBase.set(ladderStart);
        for (int s = 0; s < rates.length; s++) {
            int rate = rates[s];
            double cpu0 = ChildProcess.cpuSeconds(pids.get());
            double client0 = ChildProcess.cpuSeconds(List.of(ProcessHandle.current().pid()));
            long t0 = System.nanoTime();
            int first = seq;
            GatewayMetrics.Scrape hopsBefore = gatewayPort > 0 ? GatewayMetrics.scrape(gatewayPort) : null;
            seq = Publishers.pace(p, fleet, seq, rate, stepSeconds, s);
            double sendSeconds = (System.nanoTime() - t0) / 1e9;
            long expected = (long) (seq - first) * n;
            long waitUntil = System.nanoTime() + 3_000_000_000L;
            while (fleet.stepDeliveries[s].get() < expected && System.nanoTime() < waitUntil) {
                Thread.sleep(20);
            }
            double cpu = (ChildProcess.cpuSeconds(pids.get()) - cpu0) / ((System.nanoTime() - t0) / 1e9);
            long rss = ChildProcess.rssBytes(pids.get());
            Histogram h = fleet.stepLatency[s].copy();
            long got = fleet.stepDeliveries[s].get();
            double perSec = got / Math.max(stepSeconds, sendSeconds);
            double p99 = h.getValueAtPercentile(99) / 1000.0;
            boolean complete = got >= expected * 0.999;
            boolean sustained = complete && p99 <= P99_LIMIT_MS;
            JsonObject step = new JsonObject();
            if (hopsBefore != null) {
                step.put("gatewayHops", GatewayMetrics.breakdown(hopsBefore, GatewayMetrics.scrape(gatewayPort)));
            }
            steps.add(step.put("messagesPerSecond", rate).put("offeredDeliveriesPerSecond", (long) rate * n)
                    .put("deliveriesPerSecond", Math.round(perSec)).put("expected", expected).put("delivered", got)
                    .put("latency", Report.latency(h)).put("serverCpuCores", Math.round(cpu * 100) / 100.0)
                    .put("serverRssMiB", Math.round(rss / 1048576.0 * 10) / 10.0)
                    .put("clientCpuCores", Math.round((ChildProcess.cpuSeconds(List.of(ProcessHandle.current().pid())) - client0)
                            / ((System.nanoTime() - t0) / 1e9) * 100) / 100.0)
                    .put("sustained", sustained));
            System.out.printf(Locale.ROOT, "  %-9s %6d deliveries/s offered: %8.0f/s delivered (%.2f%%), p50 %.1f ms, p99 %.1f ms, CPU %.2f cores, RSS %.0f MiB%s%n",
                    name, (long) rate * n, perSec, 100.0 * got / Math.max(1, expected), h.getValueAtPercentile(50) / 1000.0, p99,
                    cpu, rss / 1048576.0, sustained ? "" : "  ← not sustained");
            if (rate == compared(rates)) {
                compared = h;
            }
            if (sustained) {
                best = Math.max(best, perSec);
            } else if (rate >= compared(rates)) {
                break;
            }
        }
        int secs = (int) Math.ceil((System.nanoTime() - ladderStart) / 1e9);
        double[][] series = new double[Math.min(secs, fleet.perSecond.length)][2];
        for (int i = 0; i < series.length; i++) {
            series[i][0] = i;
            series[i][1] = fleet.perSecond[i].get();
        }
        tput.put(name, series);
        if (compared != null) {
            chart.put(name, compared);
        }
        return new JsonObject().put("subscribers", n).put("steps", steps).put("bestSustainedDeliveriesPerSecond", Math.round(best))
                .put("unknownEvents", fleet.unknown.get());
    }

    /**
     * Publishes untracked messages (seq 0) every 200 ms until every subscriber has received one:
     * the subscriptions are live (Pushpin subscribes after it answered the client) and warm.
     */
    static void warmUp(String name, Fleet fleet, Publishers.Publisher p) throws InterruptedException {
        int[] before = new int[fleet.streams.size()];
        for (int i = 0; i < before.length; i++) {
            before[i] = fleet.streams.get(i).events.get();
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            p.publish(0);
            Thread.sleep(200);
            int waiting = 0;
            for (int i = 0; i < before.length; i++) {
                if (fleet.streams.get(i).events.get() <= before[i]) {
                    waiting++;
                }
            }
            if (waiting == 0) {
                return;
            }
        }
        throw new BenchStack.BenchException(name + ": not every subscriber received the warm-up messages within 30 s");
    }

    static String version() {
        return "0.1.0-SNAPSHOT (Quarkus 3.33.2, JDK " + System.getProperty("java.version") + ")";
    }

    /** The trivial source's ladder goes on past the others', to find the client's own ceiling. */
    private static int[] extended(int[] rates, boolean smoke) {
        if (smoke) {
            return rates;
        }
        int[] more = java.util.Arrays.copyOf(rates, rates.length + 4);
        int last = rates[rates.length - 1];
        for (int i = 0; i < 4; i++) {
            more[rates.length + i] = last + 20 * (i + 1);
        }
        return more;
    }

    private static List<Integer> toList(int[] a) {
        List<Integer> l = new ArrayList<>();
        for (int x : a) {
            l.add(x);
        }
        return l;
    }
}
