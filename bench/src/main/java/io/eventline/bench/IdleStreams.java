package io.eventline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.eventline.localstack.DevTokens;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * The {@code idle} scenario: opens N idle streams on a running gateway (users × streams per user,
 * each with its own dev token), waits until every one has received {@code ready}, then reports the
 * gateway's resident memory and heap (after a full GC, via jcmd) per stream, against a baseline
 * taken before. All connections come from one Vert.x event loop: no thread per connection.
 *
 * <p>Usage: {@code IdleStreams <gatewayUrl> <gatewayPid> <streams> <resultsDir> [holdSeconds]}.
 */
public final class IdleStreams {

    private IdleStreams() {
    }

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        long pid = Long.parseLong(args[1]);
        int streams = Integer.parseInt(args[2]);
        Path results = Path.of(args[3]);
        int perUser = 10;
        java.net.URI uri = java.net.URI.create(gateway);

        Memory before = Memory.of(pid);
        System.out.printf(Locale.ROOT, "baseline: RSS %.1f MiB, heap after GC %.1f MiB%n", before.rssMiB(), before.heapMiB());

        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(streams).setKeepAlive(true)
                .setMaxWaitQueueSize(-1).setConnectTimeout(10_000));
        List<String> tokens = new ArrayList<>();
        for (int u = 0; u < (streams + perUser - 1) / perUser; u++) {
            tokens.add(DevTokens.mint("idle-" + u, "user", "Idle " + u, Duration.ofHours(2)));
        }
        AtomicInteger ready = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(streams);
        long started = System.nanoTime();
        for (int i = 0; i < streams; i++) {
            String token = tokens.get(i / perUser);
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(uri.getHost())
                    .setPort(uri.getPort()).setURI("/api/stream").putHeader("Authorization", "Bearer " + token)
                    .putHeader("Accept", "text/event-stream");
            client.request(options).compose(r -> r.send()).onComplete(ar -> {
                if (ar.failed() || ar.result().statusCode() != 200) {
                    failed.incrementAndGet();
                    all.countDown();
                    return;
                }
                HttpClientResponse response = ar.result();
                boolean[] counted = { false };
                response.handler(buffer -> {
                    if (!counted[0] && buffer.toString().contains("event: ready")) {
                        counted[0] = true;
                        ready.incrementAndGet();
                        all.countDown();
                    }
                });
            });
        }
        if (!all.await(5, TimeUnit.MINUTES)) {
            System.out.println("not every stream opened within 5 minutes");
        }
        double openSeconds = (System.nanoTime() - started) / 1e9;
        Memory after = Memory.of(pid);
        double rssPer = (after.rssKiB() - before.rssKiB()) * 1024.0 / ready.get();
        double heapPer = (after.heapBytes() - before.heapBytes()) / (double) ready.get();
        System.out.printf(Locale.ROOT, "%d streams ready (%d failed) in %.1f s%n", ready.get(), failed.get(), openSeconds);
        System.out.printf(Locale.ROOT, "with them: RSS %.1f MiB, heap after GC %.1f MiB%n", after.rssMiB(), after.heapMiB());
        System.out.printf(Locale.ROOT, "per stream: RSS %.0f bytes, heap %.0f bytes%n", rssPer, heapPer);

        JsonObject out = new JsonObject().put("scenario", "idle").put("date", Instant.now().toString())
                .put("machine", Machine.describe()).put("gateway", gateway).put("streams", ready.get())
                .put("failed", failed.get()).put("openSeconds", openSeconds)
                .put("before", before.json()).put("after", after.json())
                .put("rssBytesPerStream", Math.round(rssPer)).put("heapBytesPerStream", Math.round(heapPer));
        Files.createDirectories(results);
        Path file = results.resolve("idle-" + Instant.now().toString().substring(0, 10) + ".json");
        Files.writeString(file, out.encodePrettily() + "\n");
        System.out.println("wrote " + file);
        if (args.length > 4) {
            Thread.sleep(Long.parseLong(args[4]) * 1000); // hold the streams open, for a heap histogram
        }
        client.close();
        vertx.close();
    }

    /** The gateway process's memory: RSS from /proc, heap used after a full GC from jcmd. */
    record Memory(long rssKiB, long heapBytes) {

        static Memory of(long pid) throws IOException, InterruptedException {
            jcmd(pid, "GC.run");
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
            return new Memory(rss, used);
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

        private static String jcmd(long pid, String command) throws IOException, InterruptedException {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        }
    }
}
