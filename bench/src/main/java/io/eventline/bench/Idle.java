package io.eventline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.eventline.bench.peers.Nchan;
import io.eventline.bench.peers.Peer;
import io.eventline.bench.peers.Pushpin;
import io.eventline.launcher.Command;
import io.eventline.localstack.DevTokens;
import io.vertx.core.json.JsonObject;

/**
 * The {@code idle} scenario: N idle streams, then the server's memory per stream: for the gateway
 * its RSS and its heap after a full GC (jcmd), for Nchan and Pushpin the RSS of their processes,
 * each against a baseline taken before the streams opened.
 */
final class Idle {

    private Idle() {
    }

    static void run(boolean smoke, Path results, List<String> systems) throws Exception {
        int n = smoke ? 100 : 10_000;
        Report report = new Report("idle", results, smoke);
        JsonObject by = new JsonObject();
        for (String system : systems) {
            System.out.println("▸ idle: " + system + ", " + n + " streams");
            by.put(system, system.equals("eventline") ? eventline(n) : peer(system, n));
        }
        report.json.put("setup", new JsonObject().put("streams", n)).put("systems", by)
                .put("targets", new JsonObject().put("bytesPerIdleStream", 10_240).put("met",
                        by.getJsonObject("eventline") != null && by.getJsonObject("eventline").getLong("heapBytesPerStream") <= 10_240
                                && by.getJsonObject("eventline").getLong("rssBytesPerStream") <= 10_240));
        report.write();
    }

    /**
     * Twice: {@code cold}, from a gateway that has just started, so the figure includes the heap
     * growing to its working size; then, once those streams have closed, {@code warm}, from a
     * gateway that has held them before, as one in service has: what idle streams hold.
     */
    private static JsonObject eventline(int n) throws Exception {
        try (BenchStack stack = BenchStack.start("idle", 1)) {
            long pid = stack.gateway(0).pid();
            int port = stack.gateway(0).port();
            int perUser = 10;
            List<String> tokens = new ArrayList<>();
            for (int u = 0; u < (n + perUser - 1) / perUser; u++) {
                tokens.add(DevTokens.mint("idle-" + u, "user", "Idle " + u, Duration.ofHours(2)));
            }
            JsonObject out = new JsonObject().put("version", "gateway " + Fanout.version()).put("streams", n)
                    .put("javaOpts", stack.gatewayEnv.get("JAVA_OPTS"));
            for (String round : List.of("cold", "warm")) {
                Memory before = Memory.of(pid);
                long t0 = System.nanoTime();
                JsonObject r;
                try (Fleet fleet = new Fleet(1, n)) {
                    fleet.open(n, port, i -> "/api/stream", i -> Map.of("Authorization", "Bearer " + tokens.get(i / perUser)),
                            i -> "idle-" + i / perUser, true, Duration.ofMinutes(3));
                    double openSeconds = (System.nanoTime() - t0) / 1e9;
                    Memory after = Memory.of(pid);
                    long rssPer = (after.rssKiB() - before.rssKiB()) * 1024 / n;
                    long heapPer = (after.heapBytes() - before.heapBytes()) / n;
                    System.out.printf(Locale.ROOT, "  eventline (%s): %d streams in %.1f s; per stream: RSS %d bytes, heap %d bytes%n",
                            round, n, openSeconds, rssPer, heapPer);
                    r = new JsonObject().put("openSeconds", openSeconds).put("before", before.json()).put("after", after.json())
                            .put("rssBytesPerStream", rssPer).put("heapBytesPerStream", heapPer)
                            .put("heapByClassPerStream", perStream(before.classes(), after.classes(), n));
                }
                out.put(round, r);
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (GatewayMetrics.gauge(stack.gateway(0).managementPort(), "eventline_stream_open") != 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100); // bounded: the streams' closes reach the gateway
                }
            }
            // The figures the report compares: the warm round's (what a stream holds in a gateway in service).
            return out.put("rssBytesPerStream", out.getJsonObject("warm").getLong("rssBytesPerStream"))
                    .put("heapBytesPerStream", out.getJsonObject("warm").getLong("heapBytesPerStream"))
                    .put("coldRssBytesPerStream", out.getJsonObject("cold").getLong("rssBytesPerStream"));
        }
    }

    private static JsonObject peer(String name, int n) throws Exception {
        try (Fleet fleet = new Fleet(1, n)) {
            Path work = Path.of("bench/target/peers").resolve(name + "-idle").toAbsolutePath();
            try (Peer peer = name.equals("nchan") ? Nchan.start(fleet.vertx, work, Nchan.Mode.EVENTSOURCE) : Pushpin.start(fleet.vertx, work)) {
                // One subscriber first, so the baseline includes whatever the first connection allocates.
                fleet.open(1, peer.port(), i -> peer.subscribePath(), i -> Map.of(), i -> "warm", false, Duration.ofSeconds(30));
                long before = peer.rssBytes();
                long t0 = System.nanoTime();
                fleet.open(n, peer.port(), i -> peer.subscribePath(), i -> Map.of(), i -> "idle-" + i, false, Duration.ofMinutes(3));
                double openSeconds = (System.nanoTime() - t0) / 1e9;
                long after = peer.rssBytes();
                long per = (after - before) / n;
                System.out.printf(Locale.ROOT, "  %s: %d streams in %.1f s; per stream: RSS %d bytes%n", name, n, openSeconds, per);
                return new JsonObject().put("version", peer.version()).put("streams", n).put("openSeconds", openSeconds)
                        .put("rssBytesBefore", before).put("rssBytesAfter", after).put("rssBytesPerStream", per)
                        .put("processes", peer.pids().size());
            }
        }
    }

    /** The 15 classes whose instances grew most, in bytes per stream: where an idle stream's heap goes. */
    private static JsonObject perStream(Map<String, Long> before, Map<String, Long> after, int n) {
        JsonObject out = new JsonObject();
        after.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(15)
                .forEach(e -> out.put(e.getKey(), Math.round(e.getValue() * 10.0 / n) / 10.0));
        return out;
    }

    /** The gateway process's memory: RSS from /proc, heap used after a full GC from jcmd, and the live bytes by class. */
    record Memory(long rssKiB, long heapBytes, Map<String, Long> classes) {

        static Memory of(long pid) throws IOException, InterruptedException {
            Map<String, Long> classes = new java.util.HashMap<>();
            // GC.class_histogram collects first: "   1:   123   4567  java.lang.String (java.base@25)"
            var row = java.util.regex.Pattern.compile("(?m)^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)").matcher(jcmd(pid, "GC.class_histogram"));
            while (row.find()) {
                classes.merge(row.group(2), Long.parseLong(row.group(1)), Long::sum);
            }
            String heap = jcmd(pid, "GC.heap_info");
            long used = 0; // every generation or region ("def new generation total 9792K, used 171K", ...)
            // Serial: "def new generation total 9792K, used 171K" (and tenured); G1 (JDK 25):
            // "garbage-first heap total reserved 1179648K, committed 61440K, used 30000K".
            var m = java.util.regex.Pattern.compile("(?:generation|heap)\\s+total[^\\n]*?used (\\d+)K").matcher(heap);
            while (m.find()) {
                used += Long.parseLong(m.group(1)) * 1024;
            }
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return new Memory(rss, used, classes);
        }

        double rssMiB() {
            return rssKiB / 1024.0;
        }

        double heapMiB() {
            return heapBytes / 1048576.0;
        }

        JsonObject json() {
            return new JsonObject().put("rssKiB", rssKiB).put("heapUsedBytesAfterGc", heapBytes);
        }

        private static String jcmd(long pid, String command) {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            return Command.of(jcmd.toString(), Long.toString(pid), command).run(Duration.ofSeconds(60)).output();
        }
    }
}
