package io.eventline.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.eventline.launcher.ChildProcess;
import io.eventline.localstack.DevTokens;
import io.eventline.launcher.ServiceProcess;
import io.vertx.core.json.JsonObject;

/**
 * The {@code storm} scenario: N streams on one gateway while public records are published, then
 * the gateway is killed ({@code kill -9}) and restarted on the same port. Every client reconnects
 * on its own with jittered backoff and its last id, as the web client does. Reported: the time
 * from the kill until every stream has resumed, the records each stream lost (must be 0) and got
 * twice, resets, and the gateway's peak CPU.
 */
final class Storm {

    /** {@code DEFAULT_BACKOFF.maxMs} in {@code web/client/src/backoff.ts}. */
    static final long BACKOFF_CEILING_MS = 5_000;

    private Storm() {
    }

    static void run(boolean smoke, Path results) throws Exception {
        int n = smoke ? 100 : 10_000;
        // 5 records/s to 10 000 streams is 50 000 deliveries/s live, half of what the client reads at
        // most (the fanout scenario's trivial source): at 20/s (200 000/s, plus the catch-up) the client,
        // not the gateway, decided when a `ready` was read.
        int rate = smoke ? 10 : 5;
        Report report = new Report("storm", results, smoke);
        try (BenchStack stack = BenchStack.start("storm", 1); Fleet fleet = new Fleet(2, n)) {
            ServiceProcess gateway = stack.gateway(0);
            int port = gateway.port();
            int perUser = 10;
            List<String> tokens = new ArrayList<>();
            for (int u = 0; u < (n + perUser - 1) / perUser; u++) {
                tokens.add(DevTokens.mint("storm-" + u, "user", "Storm " + u, Duration.ofHours(4)));
            }
            fleet.trackPerStream(n);
            fleet.open(n, port, i -> "/api/stream", i -> Map.of("Authorization", "Bearer " + tokens.get(i / perUser)),
                    i -> "storm-" + i / perUser, true, Duration.ofMinutes(3));
            System.out.println("▸ " + n + " streams open; publishing " + rate + " records/s");

            // Reconnect on close as @eventline/client does: full jitter (0 to 500 ms, doubling up to 5 s), Last-Event-ID.
            AtomicInteger down = new AtomicInteger();
            AtomicLong lastResumedAt = new AtomicLong();
            AtomicInteger attempts = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicInteger unavailable = new AtomicInteger();
            AtomicInteger otherFailures = new AtomicInteger();
            AtomicLong firstAnswerAt = new AtomicLong();
            AtomicLong killedAtRef = new AtomicLong();
            org.HdrHistogram.Histogram resumedAfter = Report.histogram();
            AtomicInteger resets = new AtomicInteger();
            AtomicInteger notResumed = new AtomicInteger();
            Random random = new Random(7);
            CountDownLatch allResumed = new CountDownLatch(n);
            java.util.Set<Integer> waiting = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Sse.Listener base = fleet.listener;
            Sse.Listener listener = new Sse.Listener() {
                @Override
                public void onEvent(Sse.Stream stream, Sse.Event e, long nanos) {
                    if (e.event().equals("ready") && waiting.remove(stream.index)) {
                        if (!new JsonObject(e.data()).getBoolean("resumed", false)) {
                            notResumed.incrementAndGet();
                        }
                        lastResumedAt.set(nanos);
                        long killed = killedAtRef.get();
                        if (killed > 0) {
                            synchronized (resumedAfter) {
                                resumedAfter.recordValue(Math.max(0, (nanos - killed) / 1000));
                            }
                        }
                        allResumed.countDown();
                        return;
                    }
                    if (e.event().equals("reset")) {
                        resets.incrementAndGet();
                    }
                    base.onEvent(stream, e, nanos);
                }

                @Override
                public void onClose(Sse.Stream stream) {
                    if (waiting.add(stream.index)) {
                        down.incrementAndGet();
                    }
                    reconnect(stream, 500);
                }

                private void reconnect(Sse.Stream stream, long ceilingMs) {
                    long delay = 1 + (long) (random.nextDouble() * ceilingMs);
                    if (fleet.closing) {
                        return;
                    }
                    fleet.vertx.setTimer(delay, t -> {
                        if (fleet.closing) {
                            return;
                        }
                        attempts.incrementAndGet();
                        String last = stream.lastId;
                        Map<String, String> headers = new LinkedHashMap<>();
                        headers.put("Authorization", "Bearer " + tokens.get(stream.index / perUser));
                        if (last != null) {
                            headers.put("Last-Event-ID", last);
                        }
                        fleet.sse.open(stream, port, "/api/stream", headers, this).onFailure(x -> {
                            String why = String.valueOf(x.getMessage());
                            if (x instanceof java.net.ConnectException) {
                                refused.incrementAndGet();
                            } else if (why.startsWith("HTTP ")) {
                                firstAnswerAt.compareAndSet(0, System.nanoTime());
                                if (why.startsWith("HTTP 503")) {
                                    unavailable.incrementAndGet();
                                }
                            } else {
                                otherFailures.incrementAndGet(); // reset or closed before an answer
                            }
                            reconnect(stream, Math.min(BACKOFF_CEILING_MS, ceilingMs * 2));
                        });
                    });
                }
            };
            // Re-point every open stream's close handling at the reconnecting listener.
            fleet.onClose = s -> listener.onClose(s);
            // The original listener is bound to the open responses; route their events through ours too.
            for (Sse.Stream s : fleet.streams) {
                s.response.handler(b -> s.feed(b, listener, System.nanoTime()));
            }

            try (Publishers.Publisher p = Publishers.kafka(stack.stack.kafkaBootstrapServers());
                    CpuSampler cpu = new CpuSampler(() -> List.of(stack.gateway(0).pid()), 250)) {
                int seq = 1;
                fleet.perSecondBase.set(System.nanoTime());
                seq = Publishers.pace(p, fleet, seq, rate, 3, 0);
                long killedAt = System.nanoTime();
                killedAtRef.set(killedAt);
                gateway.kill();
                System.out.println("▸ gateway killed (kill -9); restarting it on port " + port);
                ServiceProcess restarted = stack.restartGateway(0, port);
                // Publishing goes on during the outage and the storm.
                int[] next = { seq };
                Thread publisher = new Thread(() -> {
                    try {
                        long until = System.nanoTime() + (smoke ? 20 : 40) * 1_000_000_000L;
                        while (System.nanoTime() < until && allResumed.getCount() > 0) {
                            next[0] = Publishers.pace(p, fleet, next[0], rate, 1, 1);
                        }
                        next[0] = Publishers.pace(p, fleet, next[0], rate, 3, 2);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "storm-publisher");
                publisher.start();
                restarted.awaitReady(Duration.ofSeconds(120));
                double restartSeconds = (System.nanoTime() - killedAt) / 1e9;
                boolean all = allResumed.await(smoke ? 60 : 120, TimeUnit.SECONDS);
                double resumeSeconds = (lastResumedAt.get() - killedAt) / 1e9;
                publisher.join(120_000);
                int lastSeq = next[0] - 1;
                // Drain: until every stream has every record, or 15 s.
                long deadline = System.nanoTime() + 15_000_000_000L;
                long lost;
                do {
                    lost = lost(fleet, lastSeq);
                    if (lost == 0) {
                        break;
                    }
                    Thread.sleep(100);
                } while (System.nanoTime() < deadline);
                JsonObject r = new JsonObject().put("streams", n).put("recordsPerSecond", rate).put("records", lastSeq)
                        .put("streamsDropped", down.get()).put("allResumed", all).put("resumed", n - allResumed.getCount())
                        .put("gatewayReadySeconds", round(restartSeconds)).put("allResumedSeconds", all ? round(resumeSeconds) : null)
                        .put("gatewayAnsweringSeconds", firstAnswerAt.get() == 0 ? null : round((firstAnswerAt.get() - killedAt) / 1e9))
                        .put("reconnectAttempts", attempts.get()).put("refusedAttempts", refused.get())
                        .put("unavailableAnswers", unavailable.get()).put("otherFailedAttempts", otherFailures.get())
                        .put("resumedAfterKill", Report.latency(resumedAfter))
                        .put("readyNotResumed", notResumed.get()).put("resets", resets.get())
                        .put("lost", lost).put("duplicates", fleet.duplicates.get())
                        .put("gatewayPeakCpuCores", round(cpu.peakCores)).put("gatewayRssMiBAfter",
                                Math.round(ChildProcess.rssBytes(List.of(stack.gateway(0).pid())) / 1048576.0));
                report.json.put("result", r).put("targets", new JsonObject().put("allResumedWithinSeconds", 15).put("lost", 0)
                        .put("met", all && resumeSeconds <= 15 && lost == 0));
                synchronized (cpu.series) {
                    report.timeChart("-cpu", "storm: gateway CPU (cores) around the kill", "cores",
                            Map.of("gateway", cpu.series.toArray(new double[0][])));
                }
                double[][] tput = new double[60][2];
                for (int i = 0; i < tput.length; i++) {
                    tput[i][0] = i;
                    tput[i][1] = fleet.perSecond[i].get();
                }
                report.timeChart("-throughput", "storm: deliveries per second (kill at 3 s)", "deliveries/s", Map.of("deliveries", tput));
                report.write();
                System.out.printf(Locale.ROOT, "storm: gateway answering %.1f s and ready %.1f s after the kill (%d refused, %d answered 503); all %d streams resumed: %s (%.1f s); lost %d, duplicates %d, resets %d, peak CPU %.2f cores%n",
                        firstAnswerAt.get() == 0 ? Double.NaN : (firstAnswerAt.get() - killedAt) / 1e9, restartSeconds,
                        refused.get(), unavailable.get(), n, all, resumeSeconds, lost, fleet.duplicates.get(), resets.get(), cpu.peakCores);
            }
        }
    }

    /** Records 1..lastSeq missing from some stream, summed over streams. */
    private static long lost(Fleet fleet, int lastSeq) {
        long lost = 0;
        for (java.util.BitSet b : fleet.seen) {
            lost += lastSeq - b.get(1, lastSeq + 1).cardinality();
        }
        return lost;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
