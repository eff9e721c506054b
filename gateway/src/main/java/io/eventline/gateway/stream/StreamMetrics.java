package io.eventline.gateway.stream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;

/**
 * The stream's Prometheus metrics ({@code /q/metrics}): open streams, the dispatcher's
 * subscriptions, bytes queued for slow sockets, records delivered and replayed, streams cut for
 * not reading, resets by reason, rejected connects by reason, the dispatcher's consumer lag, the
 * delivery latency from the record's Kafka timestamp to the moment its frame is handed to the
 * socket, and that path hop by hop, from the service's outbox on.
 */
@Singleton
public class StreamMetrics {

    private final MeterRegistry registry;
    final AtomicInteger open = new AtomicInteger();
    final AtomicLong lag = new AtomicLong();
    /** Bytes waiting in the streams' own queues (what the send buffer bounds per stream). */
    final LongAdder queued = new LongAdder();
    /** Streams the dispatcher routes to (returns to zero when every stream has closed); set by the dispatcher. */
    final AtomicInteger subscriptions = new AtomicInteger();
    private final Counter delivered;
    private final Counter replayedMemory;
    private final Counter replayedKafka;
    private final Counter dropped;
    private final Counter invalid;
    private final Counter expired;
    private final Timer latency;
    private final Timer outboxToKafka;
    private final Timer kafkaToGateway;
    private final Timer gatewayToSocket;

    public StreamMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Strong references: a gauge holds its object weakly by default, and once that is collected
        // Prometheus stops exporting it (HealthTest saw the three gauges vanish from /q/metrics).
        Gauge.builder("eventline.stream.open", open, AtomicInteger::get).strongReference(true).register(registry);
        Gauge.builder("eventline.stream.consumer.lag", lag, AtomicLong::get).strongReference(true).register(registry);
        Gauge.builder("eventline.stream.queued.bytes", queued, LongAdder::doubleValue).strongReference(true).register(registry);
        Gauge.builder("eventline.stream.subscriptions", subscriptions, AtomicInteger::get).strongReference(true)
                .register(registry);
        this.delivered = Counter.builder("eventline.stream.records.delivered")
                .description("Live records handed to a stream's socket").register(registry);
        this.replayedMemory = Counter.builder("eventline.stream.records.replayed").tag("source", "memory")
                .description("Records replayed to resuming streams").register(registry);
        this.replayedKafka = Counter.builder("eventline.stream.records.replayed").tag("source", "kafka")
                .description("Records replayed to resuming streams").register(registry);
        this.dropped = Counter.builder("eventline.stream.dropped")
                .description("Streams cut because their client did not read (they resume without loss)").register(registry);
        this.invalid = Counter.builder("eventline.stream.records.invalid")
                .description("Records on the change topics that are not valid change records (skipped)").register(registry);
        this.expired = Counter.builder("eventline.stream.expired")
                .description("Streams ended at their token's expiry").register(registry);
        this.latency = Timer.builder("eventline.stream.delivery.latency")
                .description("Record timestamp (Kafka) to its frame handed to the stream's socket")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .distributionStatisticBufferLength(1) // recorded per delivery: one window, not three
                .register(registry);
        this.outboxToKafka = hop("outbox-to-kafka", "The record written in its service's outbox to its Kafka timestamp (the relay's produce)");
        this.kafkaToGateway = hop("kafka-to-gateway", "The record's Kafka timestamp to the gateway's dispatcher receiving it (broker, acks, fetch)");
        this.gatewayToSocket = hop("gateway-to-socket", "The dispatcher receiving the record to its frame handed to a stream's socket (dispatch, queue, write)");
        for (String reason : new String[] { "invalid-cursor", "beyond-replay-bound", "beyond-retention", "unknown-position" }) {
            resetCounter(reason);
        }
        for (String reason : new String[] { "not-ready", "instance-full", "too-many-for-user", "token-expired" }) {
            rejectedCounter(reason);
        }
    }

    private Timer hop(String hop, String description) {
        return Timer.builder("eventline.stream.hop.latency").tag("hop", hop).description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(60))
                .distributionStatisticBufferLength(1) // recorded per delivery: one window, not three
                .register(registry);
    }

    /** The dispatcher received a live record: its first two hops, once per record. */
    void received(Change change) {
        outboxToKafka.record(Math.max(0, change.timestamp - change.writtenAt), TimeUnit.MILLISECONDS);
        kafkaToGateway.record(Math.max(0, change.receivedAt - change.timestamp), TimeUnit.MILLISECONDS);
    }

    /** A live record's frame was handed to a stream's socket at {@code now} (epoch millis). */
    void delivered(Change change, long now) {
        delivered.increment();
        latency.record(Math.max(0, now - change.timestamp), TimeUnit.MILLISECONDS);
        gatewayToSocket.record(Math.max(0, now - change.receivedAt), TimeUnit.MILLISECONDS);
    }

    void replayed(String source, long count) {
        if (count > 0) {
            ("kafka".equals(source) ? replayedKafka : replayedMemory).increment(count);
        }
    }

    void dropped() {
        dropped.increment();
    }

    void invalid() {
        invalid.increment();
    }

    void expired() {
        expired.increment();
    }

    void reset(String reason) {
        resetCounter(reason).increment();
    }

    void rejected(String reason) {
        rejectedCounter(reason).increment();
    }

    private Counter rejectedCounter(String reason) {
        return Counter.builder("eventline.stream.rejected").tag("reason", reason)
                .description("Stream requests refused before they opened").register(registry);
    }

    private Counter resetCounter(String reason) {
        return Counter.builder("eventline.stream.resets").tag("reason", reason)
                .description("Resumes that could not be exact: the client was told to reload").register(registry);
    }
}
