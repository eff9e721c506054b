package io.eventline.gateway.stream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Owns the live streams of this instance: the dispatcher and replayer behind them, a socket writer
 * per event loop, the limits (per user, per instance), tickets, and what happens at startup and
 * shutdown. It opens a stream on its request's event loop and releases it when its connection is
 * gone; in between, the stream belongs to the dispatcher and its outbox to its socket writer.
 */
@ApplicationScoped
public class StreamService {

    /** Why a stream could not open. */
    public enum Refusal { NOT_READY, INSTANCE_FULL, TOO_MANY_FOR_USER, TOKEN_EXPIRED }

    private final StreamConfig config;
    private final StreamMetrics metrics;
    private final Vertx vertx;
    private final KafkaSettings kafka;
    /** The open streams, with their expiry timers. */
    private final Map<Stream, Long> open = new ConcurrentHashMap<>();
    private final Map<String, Integer> perUser = new ConcurrentHashMap<>();
    /** One socket writer per event loop, made on the loop the first time a stream opens there. */
    private final ThreadLocal<SocketWriter> writers = new ThreadLocal<>();
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
        this.replayer = new Replayer(config, kafka, metrics);
        this.dispatcher = new Dispatcher(config, kafka, new Signer("cursor", config.secret(), previous), metrics, replayer);
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
        for (Stream s : open.keySet()) {
            if (drain <= 0) {
                s.outbox.close();
            } else {
                vertx.setTimer(1 + ThreadLocalRandom.current().nextLong(drain), t -> s.outbox.close());
            }
        }
    }

    /** Shutdown, last phase: whatever is still open closes now. */
    void stop(@Observes ShutdownEvent event) {
        draining = true;
        open.keySet().forEach(s -> s.outbox.close());
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
     * how its record frames are named. Event loop.
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
        CursorCodec.Decoded cursor = lastEventId == null ? null : dispatcher.codec().decode(lastEventId);
        boolean resuming = cursor != null && cursor.ok();
        String resetReason = cursor == null || cursor.ok() ? null : "invalid-cursor";
        if (resetReason != null) {
            metrics.reset(resetReason);
        }
        Outbox outbox = new Outbox(response, connection, writer(), identity.sub(), config.sendBuffer(), metrics);
        Stream stream = new Stream(identity, frames, outbox, retryMillis(), resetReason, config.maxPendingDuringReplay());
        response.setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache, no-store, no-transform")
                .putHeader("X-Accel-Buffering", "no");
        response.closeHandler(v -> released(stream));
        response.endHandler(v -> released(stream));
        response.exceptionHandler(e -> Log.debugf("live stream of %s: %s", identity.sub(), e.toString()));
        response.drainHandler(v -> outbox.writable());
        open.put(stream, vertx.setTimer(Math.max(1, untilExpiry), t -> expire(stream)));
        metrics.open.incrementAndGet();
        dispatcher.register(stream, resuming ? cursor.offsets() : null);
        return null;
    }

    /** The socket writer of the calling event loop. */
    private SocketWriter writer() {
        SocketWriter writer = writers.get();
        if (writer == null) {
            writer = new SocketWriter(currentEventLoop(), metrics);
            writers.set(writer);
        }
        return writer;
    }

    private EventLoop currentEventLoop() {
        for (EventExecutor loop : vertx.nettyEventLoopGroup()) {
            if (loop.inEventLoop()) {
                return (EventLoop) loop;
            }
        }
        throw new IllegalStateException("a stream opens on one of Vert.x's event loops, not on " + Thread.currentThread());
    }

    /** Sends {@code event: expired} and ends the stream at its token's expiry. */
    private void expire(Stream stream) {
        if (stream.outbox.end(Sse.expired())) {
            metrics.expired();
        }
    }

    /** The {@code retry:} hint: a base plus random jitter, so that a restart does not synchronise reconnects. */
    private long retryMillis() {
        return config.retryBase().toMillis() + ThreadLocalRandom.current().nextLong(config.retryJitter().toMillis() + 1);
    }

    /** The stream's response ended or its connection is gone, whoever ended it: forget the stream. Once per stream. */
    private void released(Stream stream) {
        Long timer = open.remove(stream);
        if (timer == null) {
            return;
        }
        vertx.cancelTimer(timer);
        stream.outbox.discard();
        metrics.open.decrementAndGet();
        perUser.computeIfPresent(stream.sub(), (sub, n) -> n <= 1 ? null : n - 1);
        dispatcher.unregister(stream);
    }

    /** Open streams on this instance. */
    public int openStreams() {
        return open.size();
    }

    public StreamConfig config() {
        return config;
    }
}
