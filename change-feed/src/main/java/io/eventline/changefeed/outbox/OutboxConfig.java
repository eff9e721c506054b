package io.eventline.changefeed.outbox;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of the outbox and its relay ({@code eventline.outbox.*}). */
@ConfigMapping(prefix = "eventline.outbox")
public interface OutboxConfig {

    /** The {@code ce_source} of this service's records; defaults to the application name. */
    Optional<String> source();

    /** Whether this instance runs a relay at all. */
    @WithDefault("true")
    boolean relayEnabled();

    /** Rows published per transaction. */
    @WithDefault("500")
    int batchSize();

    /** The safety-net sweep; commits in this instance wake the relay at once. */
    @WithDefault("500ms")
    Duration sweepInterval();

    /** How soon a relay that found the lock taken looks again (another relay is mid-batch). */
    @WithDefault("20ms")
    Duration lockRetry();

    /** The first back-off after Kafka failed; it doubles up to {@link #maxBackoff()}. */
    @WithDefault("200ms")
    Duration initialBackoff();

    @WithDefault("3s")
    Duration maxBackoff();

    /**
     * How long a send may wait for a topic's metadata before the attempt is retried, and after
     * how long without acknowledgement the relay reports Kafka as unreachable. Sent records never
     * time out: the relay waits for the broker so that order is kept.
     */
    @WithDefault("10s")
    Duration sendTimeout();
}
