package io.eventline.gateway.stream;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Owns the live streams of this instance: the dispatcher and replayer behind them, the limits
 * (per user, per instance), tickets, and what happens at startup and shutdown.
 */
@ApplicationScoped
public class StreamService implements StreamHub {

    /** Why a stream could not open. */
    public enum Refusal { NOT_READY, INSTANCE_FULL, TOO_MANY_FOR_USER, TOKEN_EXPIRED }

    private final StreamConfig config;
    private final StreamMetrics metrics;
    private final Vertx vertx;
    private final KafkaSettings kafka;
    private final Set<Stream> open = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
    private Dispatcher dispatcher;
    private Replayer replayer;
    private Tickets tickets;
    private volatile boolean draining;

    public StreamService(StreamConfig config, StreamMetrics metrics, Vertx vertx,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig) {
        this.config = config;
        this.metrics = metrics;
        this.vertx = vertx;
        this.kafka = new KafkaSettings(kafkaConfig);
    }

    void start(@Observes StartupEvent event) {
        List<String> previous = config.previousSecrets().orElse(List.of());
        this.tickets = new Tickets(new Signer("ticket", config.secret(), previous), config.ticketTtl());
        this.dispatcher = new Dispatcher(config, kafka, new Signer("cursor", config.secret(), previous), metrics);
        this.replayer = new Replayer(config, kafka, dispatcher, metrics, this::retryMillis);
        dispatcher.start();
    }

    /**
     * Shutdown, first phase (Quarkus's shutdown delay, {@code quarkus.shutdown.delay} = the drain
     * period): new streams are refused with 503 so the load balancer sends them elsewhere, and the
     * open ones are closed at random moments over the period, so their clients' reconnects (and
     * resumes, from the other instances' memory) spread out instead of arriving at once.
     */
    void drain(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
        long drain = config.drainPeriod().toMillis();
        Log.infof("live stream: draining %d streams over %d ms", open.size(), drain);
        for (Stream s : open) {
            if (drain <= 0) {
                s.close();
            } else {
                vertx.setTimer(1 + ThreadLocalRandom.current().nextLong(drain), t -> s.close());
            }
        }
    }

    /** Shutdown, last phase: whatever is still open closes now. */
    void stop(@Observes ShutdownEvent event) {
        draining = true;
        open.forEach(Stream::close);
        replayer.shutdown();
        dispatcher.stop();
    }

    public boolean ready() {
        return dispatcher != null && dispatcher.ready();
    }

    public String issueTicket(Identity identity) {
        return tickets.issue(identity);
    }

    public long ticketTtlSeconds() {
        return tickets.ttl().toSeconds();
    }

    /** The identity behind a ticket, once; null otherwise. */
    public Identity redeemTicket(String ticket) {
        return tickets.redeem(ticket);
    }

    /**
     * Opens a stream on this event loop's response, or says why not. {@code lastEventId} is the
     * client's cursor (may be null or garbage: garbage means a reset, never an error); {@code frames}
     * how its record frames are named.
     */
    Refusal open(Identity identity, Frames frames, HttpServerResponse response, HttpConnection connection,
            String lastEventId) {
        if (!ready() || draining) {
            metrics.rejected("not-ready");
            return Refusal.NOT_READY;
        }
        long untilExpiry = identity.expiresAtMillis() - System.currentTimeMillis();
        if (untilExpiry <= 0) {
            metrics.rejected("token-expired");
            return Refusal.TOKEN_EXPIRED;
        }
        if (open.size() >= config.maxStreams()) {
            metrics.rejected("instance-full");
            return Refusal.INSTANCE_FULL;
        }
        boolean[] admitted = { false };
        perUser.compute(identity.sub(), (sub, n) -> {
            int count = n == null ? 0 : n;
            if (count >= config.maxStreamsPerUser()) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            metrics.rejected("too-many-for-user");
            return Refusal.TOO_MANY_FOR_USER;
        }
        Context context = vertx.getOrCreateContext();
        Stream stream = new Stream(identity, frames, response, connection, context, this);
        open.add(stream);
        metrics.open.incrementAndGet();
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache, no-store, no-transform")
                .putHeader("X-Accel-Buffering", "no");
        response.closeHandler(v -> stream.release());
        response.endHandler(v -> stream.release());
        response.exceptionHandler(e -> Log.debugf("live stream of %s: %s", identity.sub(), e.toString()));
        response.drainHandler(v -> stream.writable());
        stream.expiryTimer = vertx.setTimer(Math.max(1, untilExpiry), t -> stream.expire());

        CursorCodec.Decoded cursor = lastEventId == null ? null : dispatcher.codec().decode(lastEventId);
        boolean resuming = cursor != null && cursor.ok();
        String resetReason = cursor == null || cursor.ok() ? null : "invalid-cursor";
        if (resetReason != null) {
            metrics.reset(resetReason);
        }
        dispatcher.register(stream, (s, at) -> replayer.catchUp(s, cursor.offsets(), at), resuming, at -> {
            String c = dispatcher.codec().encode(at);
            Buffer ready = Sse.ready(retryMillis(), c, false);
            return resetReason == null ? ready : ready.appendBuffer(Sse.reset(c, resetReason));
        });
        return null;
    }

    /** The {@code retry:} hint: a base plus random jitter, so that a restart does not synchronise reconnects. */
    long retryMillis() {
        return config.retryBase().toMillis() + ThreadLocalRandom.current().nextLong(config.retryJitter().toMillis() + 1);
    }

    // ---- StreamHub ---------------------------------------------------------------------------

    @Override
    public StreamConfig config() {
        return config;
    }

    @Override
    public void delivered(long latencyMillis) {
        metrics.delivered(latencyMillis);
    }

    /**
     * One record reaches thousands of streams at once. Rather than one event-loop task per stream
     * (an allocation, a queue offer and often a wake-up each, all from the dispatcher thread), the
     * streams with something to send are queued per event loop and drained by one task.
     */
    @Override
    public void scheduleDrain(Stream stream) {
        // Keyed by the event loop's own context: a request's context is a duplicate, one per stream.
        drainers.computeIfAbsent(((io.vertx.core.impl.ContextInternal) stream.context).unwrap(), LoopDrainer::new).add(stream);
    }

    private final ConcurrentHashMap<Context, LoopDrainer> drainers = new ConcurrentHashMap<>();

    /** The streams of one event loop that have frames to write, drained together on that loop. */
    private static final class LoopDrainer {
        private final Context context;
        private final java.util.concurrent.ConcurrentLinkedQueue<Stream> dirty = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicBoolean scheduled = new java.util.concurrent.atomic.AtomicBoolean();

        LoopDrainer(Context context) {
            this.context = context;
        }

        void add(Stream stream) {
            dirty.add(stream);
            if (scheduled.compareAndSet(false, true)) {
                context.runOnContext(v -> run());
            }
        }

        /**
         * Drains up to {@link #BATCH} streams, then yields the event loop (its sockets' reads and
         * the next tasks) and goes on in a new task: the dispatcher may be adding streams as fast
         * as they are drained, and a loop that never yields blocks the event loop.
         */
        private void run() {
            scheduled.set(false); // before draining: a stream added from now on schedules another run
            Stream s;
            int n = 0;
            while (n++ < BATCH && (s = dirty.poll()) != null) {
                try {
                    s.drain();
                } catch (RuntimeException e) {
                    Log.warnf(e, "live stream: a stream failed to write; the others go on");
                }
            }
            if (!dirty.isEmpty() && scheduled.compareAndSet(false, true)) {
                context.runOnContext(v -> run());
            }
        }

        private static final int BATCH = 256;
    }

    @Override
    public void queued(long bytes) {
        metrics.queued.add(bytes);
    }

    @Override
    public void cut(Stream stream, String why) {
        metrics.dropped();
        Log.debugf("live stream of %s cut: %s", stream.sub(), why);
    }

    @Override
    public void expired() {
        metrics.expired();
    }

    @Override
    public void released(Stream stream) {
        if (!open.remove(stream)) {
            return;
        }
        metrics.open.decrementAndGet();
        perUser.computeIfPresent(stream.sub(), (sub, n) -> n <= 1 ? null : n - 1);
        vertx.cancelTimer(stream.expiryTimer);
        dispatcher.unregister(stream);
    }

    /** Open streams on this instance. */
    public int openStreams() {
        return open.size();
    }
}
