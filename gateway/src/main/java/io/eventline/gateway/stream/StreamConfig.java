package io.eventline.gateway.stream;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The live stream's settings ({@code eventline.stream.*}); see docs/streaming.md and docs/scaling.md. */
@ConfigMapping(prefix = "eventline.stream")
public interface StreamConfig {

    /**
     * Signs cursors and tickets. Every gateway instance behind the same load balancer must share it,
     * so that any instance resumes any client. At least 32 characters.
     */
    String secret();

    /** Secrets that still verify (not sign) cursors and tickets, while a rotation rolls out. */
    Optional<List<String>> previousSecrets();

    /** The topics streamed, in this order (the cursor's layout depends on it). */
    @WithDefault("eventline.events,eventline.messages,eventline.notifications")
    List<String> topics();

    /** No stream goes longer than this without a frame: a heartbeat (with an up-to-date cursor) when it sent nothing else. */
    @WithDefault("10s")
    Duration heartbeatInterval();

    /** The {@code retry:} hint is this plus a random share of {@link #retryJitter()}. */
    @WithDefault("1s")
    Duration retryBase();

    @WithDefault("4s")
    Duration retryJitter();

    /** Open streams per user on one instance; the next one is a 429. */
    @WithDefault("16")
    int maxStreamsPerUser();

    /** Open streams on one instance; the next one is a 503, so a load balancer tries another. */
    @WithDefault("20000")
    int maxStreams();

    /**
     * Bytes queued for one stream beyond what the socket accepted. A client that stops reading
     * is disconnected when its queue passes this, and resumes with its last id.
     */
    @WithDefault("262144")
    int sendBuffer();

    /** Records kept in memory per partition for replay; older gaps are read from Kafka. */
    @WithDefault("2048")
    int historyPerPartition();

    /** The largest gap (records on the streamed partitions) a resume replays; beyond it, reset. */
    @WithDefault("20000")
    long maxReplay();

    /** Replays reading from Kafka at the same time; more wait their turn. */
    @WithDefault("4")
    int kafkaReplayConcurrency();

    /** Live records held for a stream while its replay runs; beyond it the stream is cut to resume. */
    @WithDefault("4096")
    int maxPendingDuringReplay();

    /** How long a ticket from {@code POST /api/stream/tickets} is valid. */
    @WithDefault("60s")
    Duration ticketTtl();

    /** On shutdown, open streams are closed spread over this period, so their reconnects spread too. */
    @WithDefault("0s")
    Duration drainPeriod();
}
