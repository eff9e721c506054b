package io.eventline.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import org.HdrHistogram.ConcurrentHistogram;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;

/**
 * N subscribers to numbered broadcast messages ({@code "seq":n} in the event's data), on a few
 * Vert.x event loops: delivery latency from the message's send time (same clock, same process),
 * deliveries per step of a rate ladder, and per-stream seen sets for loss and duplicate counts.
 * Works against any SSE server (the gateway, Nchan, Pushpin, a trivial source).
 */
final class Fleet implements AutoCloseable {

    static final int MAX_SEQ = 2_000_000;

    final Vertx vertx;
    final HttpClient client;
    final Sse sse;
    final List<Sse.Stream> streams = new ArrayList<>();
    final long[] sentNanos = new long[MAX_SEQ];
    final int[] stepOfSeq = new int[MAX_SEQ];
    final ConcurrentHistogram[] stepLatency = new ConcurrentHistogram[64];
    final AtomicLong[] stepDeliveries = new AtomicLong[64];
    final AtomicLong deliveries = new AtomicLong();
    final AtomicLong unknown = new AtomicLong();
    final AtomicLong perSecondBase = new AtomicLong();
    final AtomicLong[] perSecond = new AtomicLong[3600];
    final AtomicInteger closedStreams = new AtomicInteger();
    /** Per stream: the seqs it got (only when tracking), and its duplicates. */
    BitSet[] seen;
    final AtomicLong duplicates = new AtomicLong();
    volatile CountDownLatch ready = new CountDownLatch(0);
    volatile java.util.function.Consumer<Sse.Stream> onClose = s -> {
    };

    Fleet(int eventLoops, int connections) {
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
        client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(connections + 100).setKeepAlive(true)
                .setMaxWaitQueueSize(-1).setConnectTimeout(20_000).setPoolEventLoopSize(eventLoops));
        sse = new Sse(client);
        for (int i = 0; i < stepLatency.length; i++) {
            stepLatency[i] = new ConcurrentHistogram(3_600_000_000L, 3);
            stepDeliveries[i] = new AtomicLong();
        }
        for (int i = 0; i < perSecond.length; i++) {
            perSecond[i] = new AtomicLong();
        }
    }

    void trackPerStream(int n) {
        seen = new BitSet[n];
        for (int i = 0; i < n; i++) {
            seen[i] = new BitSet();
        }
    }

    final Sse.Listener listener = new Sse.Listener() {
        @Override
        public void onEvent(Sse.Stream stream, Sse.Event e, long nanos) {
            if (e.event().equals("ready")) {
                ready.countDown();
                return;
            }
            int seq = seq(e.data());
            if (seq < 0) {
                unknown.incrementAndGet();
                return;
            }
            deliveries.incrementAndGet();
            long base = perSecondBase.get();
            if (base > 0) {
                int sec = (int) ((nanos - base) / 1_000_000_000L);
                if (sec >= 0 && sec < perSecond.length) {
                    perSecond[sec].incrementAndGet();
                }
            }
            if (seen != null) {
                BitSet b = seen[stream.index];
                if (b.get(seq)) {
                    duplicates.incrementAndGet();
                    return;
                }
                b.set(seq);
            }
            long sent = sentNanos[seq];
            int step = stepOfSeq[seq];
            if (sent > 0) {
                stepLatency[step].recordValue(Math.max(0, (nanos - sent) / 1000));
                stepDeliveries[step].incrementAndGet();
            }
        }

        @Override
        public void onClose(Sse.Stream stream) {
            closedStreams.incrementAndGet();
            onClose.accept(stream);
        }
    };

    /** The number after {@code "seq":} in the data, or -1. */
    static int seq(String data) {
        int i = data.indexOf("\"seq\":");
        if (i < 0) {
            return -1;
        }
        int n = 0;
        boolean any = false;
        for (int k = i + 6; k < data.length(); k++) {
            char c = data.charAt(k);
            if (c >= '0' && c <= '9') {
                n = n * 10 + (c - '0');
                any = true;
            } else if (c != ' ' || any) {
                break;
            }
        }
        return any && n < MAX_SEQ ? n : -1;
    }

    /**
     * Opens n streams, a limited number at a time, and waits until every one is open (status 200,
     * and its {@code ready} event when {@code awaitReady}). Throws if they do not all open in time.
     */
    void open(int n, int port, IntFunction<String> uri, IntFunction<Map<String, String>> headers, IntFunction<String> user,
            boolean awaitReady, Duration timeout) throws InterruptedException {
        CountDownLatch opened = new CountDownLatch(n);
        if (awaitReady) {
            ready = new CountDownLatch(n);
        }
        AtomicInteger failures = new AtomicInteger();
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(200);
        int base = streams.size();
        for (int i = 0; i < n; i++) {
            streams.add(new Sse.Stream(base + i, user.apply(i)));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < n; i++) {
            if (!window.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            int k = i;
            Sse.Stream s = streams.get(base + k);
            sse.open(s, port, uri.apply(k), headers.apply(k), listener).onComplete(ar -> {
                window.release();
                if (ar.failed()) {
                    if (failures.incrementAndGet() <= 3) {
                        System.err.println("  stream " + k + " did not open: " + ar.cause().getMessage());
                    }
                } else {
                    opened.countDown();
                }
            });
        }
        boolean ok = opened.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                && (!awaitReady || ready.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        if (!ok) {
            throw new BenchStack.BenchException((n - (n - opened.getCount())) + " of " + n + " streams did not open ("
                    + failures.get() + " failed, " + (awaitReady ? ready.getCount() + " without ready" : "") + ") within "
                    + timeout.toSeconds() + " s");
        }
    }

    /** Marks a message as sent now, in the given step. */
    void sent(int seq, int step) {
        stepOfSeq[seq] = step;
        sentNanos[seq] = System.nanoTime();
    }

    volatile boolean closing;

    @Override
    public void close() {
        closing = true;
        for (Sse.Stream s : streams) {
            try {
                s.close();
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
        try {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
