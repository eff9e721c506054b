package io.eventline.example.consumer;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.cloudevents.CloudEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.cloudevents.rw.CloudEventRWException;

/**
 * Reads Eventline's change topics with its own consumer group and hands each change to a
 * {@link ChangeHandler}:
 *
 * <ul>
 * <li>each record is decoded by the CloudEvents SDK (Kafka binary mode: the {@code ce_*} headers
 * are the attributes, the value is the data);</li>
 * <li>a {@code ce_id} handled before is dropped (delivery is at least once);</li>
 * <li>a {@code ce_type} this consumer does not know, or a data schema version of it
 * ({@code ce_dataschema}) other than the one it reads, is skipped and counted, never an error;</li>
 * <li>a record that is not a CloudEvent, or whose data does not bind, is skipped and counted
 * (logged with its position), so one bad record cannot stop the feed;</li>
 * <li>offsets are committed after the records of a poll are handled, never before: a crash
 * delivers again what was not committed, and the de-duplication drops what was already done.</li>
 * </ul>
 *
 * One instance is one thread: {@link #run()} polls until {@link #stop()}.
 */
public final class ChangeFeedConsumer implements Runnable {

    private static final Duration POLL = Duration.ofMillis(500);

    private final ConsumerSettings settings;
    private final ChangeHandler handler;
    private final KafkaConsumer<String, byte[]> consumer;
    private final SeenIds seen;
    private volatile boolean running = true;

    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong unknownTypes = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();

    public ChangeFeedConsumer(ConsumerSettings settings, ChangeHandler handler) {
        this.settings = settings;
        this.handler = handler;
        this.seen = new SeenIds(settings.dedupCapacity());
        this.consumer = new KafkaConsumer<>(settings.kafka(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Polls, handles and commits until {@link #stop()}; a handler's exception ends it, uncommitted. */
    @Override
    public void run() {
        try {
            consumer.subscribe(settings.topics());
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(POLL);
                if (records.isEmpty()) {
                    continue;
                }
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                try {
                    for (ConsumerRecord<String, byte[]> record : records) {
                        process(record);
                        done.put(new TopicPartition(record.topic(), record.partition()),
                                new OffsetAndMetadata(record.offset() + 1));
                    }
                } finally {
                    // Also when a handler failed: what was handled before it is not delivered again.
                    if (!done.isEmpty()) {
                        consumer.commitSync(done);
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Ends {@link #run()} after the record in hand; safe from any thread. */
    public void stop() {
        running = false;
        try {
            consumer.wakeup();
        } catch (IllegalStateException e) {
            // already closed: run() has ended
        }
    }

    private void process(ConsumerRecord<String, byte[]> record) {
        CloudEvent event;
        try {
            event = KafkaMessageFactory.createReader(record).toEvent();
        } catch (CloudEventRWException | IllegalStateException e) {
            skip(record, "not a CloudEvent in Kafka binary mode: " + e.getMessage());
            return;
        }
        Class<?> dataClass = Payloads.TYPES.get(event.getType());
        if (dataClass == null || !Payloads.knownVersion(event.getType(), event.getDataSchema())) {
            // A type, or a version of one, newer than this consumer: skip it, and count it.
            unknownTypes.incrementAndGet();
            return;
        }
        if (seen.contains(event.getId())) {
            duplicates.incrementAndGet();
            return;
        }
        Object data;
        try {
            data = event.getData() == null ? null : Payloads.JSON.readValue(event.getData().toBytes(), dataClass);
        } catch (IOException e) {
            skip(record, "data of " + event.getType() + " does not bind: " + e.getMessage());
            return;
        }
        Change change = new Change(record.topic(), record.partition(), record.offset(), record.key(), event.getId(),
                event.getType(), event.getSource().toString(), event.getSubject(), event.getDataSchema(),
                event.getTime(), extension(event, "audience"), version(event), data);
        try {
            handler.handle(change);
        } catch (Exception e) {
            throw new IllegalStateException("handling " + change.id() + " failed; it will be delivered again", e);
        }
        seen.add(event.getId());
        handled.incrementAndGet();
    }

    private void skip(ConsumerRecord<String, byte[]> record, String why) {
        undecodable.incrementAndGet();
        System.err.printf("skipped %s/%d@%d: %s%n", record.topic(), record.partition(), record.offset(), why);
    }

    private static String extension(CloudEvent event, String name) {
        Object value = event.getExtension(name);
        return value == null ? null : value.toString();
    }

    private static Long version(CloudEvent event) {
        String value = extension(event, "aggregateversion");
        try {
            return value == null ? null : Long.valueOf(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public long handled() {
        return handled.get();
    }

    public long duplicates() {
        return duplicates.get();
    }

    public long unknownTypes() {
        return unknownTypes.get();
    }

    public long undecodable() {
        return undecodable.get();
    }
}
