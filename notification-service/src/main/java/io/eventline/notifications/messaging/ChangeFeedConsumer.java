package io.eventline.notifications.messaging;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.eventline.changefeed.ChangeRecord;
import io.eventline.changefeed.InvalidChangeRecordException;
import io.eventline.changefeed.Topics;
import io.eventline.changefeed.dedup.ProcessedRecords;
import io.eventline.changefeed.trace.TraceContext;
import io.eventline.notifications.service.Derivation;
import io.eventline.notifications.service.NotificationService;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Consumes eventline.events and eventline.messages with its own group, as any other team's
 * service would. Each record is handled in one transaction that also records its {@code ce_id}
 * (so a redelivery, a crash between commit and offset commit, or a replay acts once); offsets are
 * committed only after those transactions committed. A record that cannot be parsed, or that
 * lacks what its type needs, is counted and skipped; one of an unknown type is counted, logged and
 * skipped; a failure of our own (the database is down) is retried from the same offset.
 */
@ApplicationScoped
public class ChangeFeedConsumer {

    public static final String GROUP = "notification-service";

    private final Map<String, Object> kafkaConfig;
    private final Derivation derivation;
    private final NotificationService notifications;
    private final ProcessedRecords processed;
    private final Tracer tracer;
    private final MeterRegistry registry;
    private final boolean enabled;
    private volatile boolean running;
    private volatile long lastPollNanos;
    private volatile boolean replayRequested;
    private volatile long replaysCompleted;
    private Map<TopicPartition, Long> replayTarget;
    private Thread thread;
    private KafkaConsumer<String, byte[]> consumer;

    public ChangeFeedConsumer(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, Derivation derivation,
            NotificationService notifications, ProcessedRecords processed, MeterRegistry registry, Tracer tracer,
            @ConfigProperty(name = "eventline.notifications.consumer.enabled", defaultValue = "true") boolean enabled) {
        this.kafkaConfig = kafkaConfig;
        this.tracer = tracer;
        this.derivation = derivation;
        this.notifications = notifications;
        this.processed = processed;
        this.registry = registry;
        this.enabled = enabled;
    }

    void start(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        Map<String, Object> props = new HashMap<>(kafkaConfig);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        running = true;
        lastPollNanos = System.nanoTime();
        thread = Thread.ofPlatform().daemon().name("notification-consumer").start(this::run);
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
            try {
                thread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the loop is alive and has polled lately: for readiness. */
    public boolean isHealthy() {
        return running && thread != null && thread.isAlive()
                && System.nanoTime() - lastPollNanos < Duration.ofSeconds(30).toNanos();
    }

    /** Reads both topics again from offset 0 (operators' and tests' tool: nothing may be created twice). */
    public void replayFromStart() {
        replayRequested = true;
        consumer.wakeup();
    }

    /** How many replays have read up to the end offsets the topics had when each began. */
    public long replaysCompleted() {
        return replaysCompleted;
    }

    private void run() {
        consumer.subscribe(List.of(Topics.EVENTS, Topics.MESSAGES));
        while (running) {
            try {
                if (replayRequested && !consumer.assignment().isEmpty()) {
                    replayRequested = false;
                    replayTarget = consumer.endOffsets(consumer.assignment());
                    consumer.seekToBeginning(consumer.assignment());
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                lastPollNanos = System.nanoTime();
                handleBatch(records);
                if (replayTarget != null && replayTarget.entrySet().stream()
                        .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                    replayTarget = null;
                    replaysCompleted++;
                }
            } catch (WakeupException e) {
                // stop() or replayFromStart(): the loop condition decides
            } catch (RuntimeException e) {
                Log.errorf(e, "notification consumer: unexpected failure; retrying in 1 s");
                pause();
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }

    private void handleBatch(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                try {
                    handle(record);
                } catch (RuntimeException e) {
                    // Our failure, not the record's: come back to this very record.
                    Log.warnf("notification consumer: %s-%d@%d, retrying: %s", record.topic(), record.partition(),
                            record.offset(), e.toString());
                    consumer.seek(partition, record.offset());
                    pause();
                    break;
                }
                done.put(partition, new OffsetAndMetadata(record.offset() + 1));
            }
        }
        if (!done.isEmpty()) {
            consumer.commitSync(done); // after the records' transactions committed
        }
    }

    private void handle(ConsumerRecord<String, byte[]> raw) {
        ChangeRecord record;
        try {
            record = ChangeRecord.fromConsumerRecord(raw);
        } catch (InvalidChangeRecordException e) {
            count("poison");
            Log.warnf("skipping a malformed record at %s-%d@%d: %s", raw.topic(), raw.partition(), raw.offset(),
                    e.getMessage());
            return;
        }
        // Continue the trace of the request that made the change: the notifications this record
        // yields carry it on to eventline.notifications.
        Span span = tracer.spanBuilder(raw.topic() + " process").setSpanKind(SpanKind.CONSUMER)
                .setParent(TraceContext.extract(raw.headers())).setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", raw.topic()).setAttribute("messaging.message.id", record.id())
                .startSpan();
        try (Scope scope = span.makeCurrent()) {
            boolean acted = QuarkusTransaction.requiringNew().call(() -> {
                if (!processed.firstDelivery(GROUP, record.id())) {
                    return false;
                }
                notifications.store(record.id(), derivation.derive(record));
                return true;
            });
            count(acted ? "processed" : "duplicate");
        } catch (RuntimeException e) {
            Throwable cause = e instanceof io.quarkus.narayana.jta.QuarkusTransactionException && e.getCause() != null
                    ? e.getCause() : e;
            if (cause instanceof Derivation.UnknownTypeException) {
                count("ignored");
                Log.infof("ignoring %s record %s: not a type this service understands", record.type(), record.id());
            } else if (cause instanceof InvalidChangeRecordException || cause instanceof IllegalArgumentException
                    || cause instanceof java.time.format.DateTimeParseException) {
                count("poison");
                Log.warnf("skipping record %s (%s): %s", record.id(), record.type(), cause.getMessage());
            } else {
                throw e;
            }
        } finally {
            span.end();
        }
    }

    private void count(String outcome) {
        registry.counter("eventline.notifications.records", "outcome", outcome).increment();
    }

    private static void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
