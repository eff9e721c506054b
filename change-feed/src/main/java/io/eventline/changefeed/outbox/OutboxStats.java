package io.eventline.changefeed.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The outbox backlog as last seen by a relay: rows waiting, the oldest one's age, the last error. */
public final class OutboxStats {

    private final AtomicLong pending = new AtomicLong();
    private final AtomicReference<Instant> oldest = new AtomicReference<>();
    private final AtomicReference<String> lastError = new AtomicReference<>();

    void register(MeterRegistry registry) {
        Gauge.builder("eventline.outbox.pending", pending, AtomicLong::get)
                .description("Change records committed but not yet acknowledged by Kafka")
                .register(registry);
        Gauge.builder("eventline.outbox.lag.seconds", this, s -> s.oldestAge().toMillis() / 1000.0)
                .description("Age of the oldest unpublished change record (relay lag)")
                .register(registry);
    }

    void update(long pendingRows, Instant oldestTime) {
        pending.set(pendingRows);
        oldest.set(oldestTime);
    }

    void failed(String error) {
        lastError.set(error);
    }

    void succeeded() {
        lastError.set(null);
    }

    public long pending() {
        return pending.get();
    }

    public Duration oldestAge() {
        Instant o = oldest.get();
        return o == null ? Duration.ZERO : Duration.between(o, Instant.now());
    }

    /** The last publishing error, or null when the last attempt succeeded. */
    public String lastError() {
        return lastError.get();
    }
}
