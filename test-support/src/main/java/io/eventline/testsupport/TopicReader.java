package io.eventline.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import io.eventline.localstack.LocalStack;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * For tests: reads a topic of the shared stack from the position it had when opened, so a test
 * sees what it wrote and nothing older. {@link #readToEnd} reads up to the current end offsets,
 * which proves the absence of a record without waiting an arbitrary time.
 */
public final class TopicReader implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    public TopicReader(String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", LocalStack.shared().kafkaBootstrapServers(),
                "enable.auto.commit", "false"), new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // fix the start before anything is written
    }

    /** Polls until {@code count} records match, and returns the matching ones in arrival order. */
    public List<ConsumerRecord<String, byte[]>> await(Predicate<ConsumerRecord<String, byte[]>> matching, int count,
            Duration timeout) {
        pollUntil(() -> matching(matching).size() >= count, timeout,
                () -> "expected " + count + " matching records, saw " + matching(matching).size());
        return matching(matching);
    }

    /** Reads up to the current end of every partition, so nothing already written is missed. */
    public List<ConsumerRecord<String, byte[]>> readToEnd(Predicate<ConsumerRecord<String, byte[]>> matching) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        pollUntil(() -> end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue()),
                Duration.ofSeconds(30), () -> "did not reach the end offsets " + end);
        return matching(matching);
    }

    public static Predicate<ConsumerRecord<String, byte[]>> key(Object key) {
        return r -> key.toString().equals(r.key());
    }

    public static Predicate<ConsumerRecord<String, byte[]>> subject(Object subject) {
        return r -> subject.toString().equals(header(r, "ce_subject"));
    }

    public static String header(ConsumerRecord<String, byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    public static String value(ConsumerRecord<String, byte[]> record) {
        return new String(record.value(), StandardCharsets.UTF_8);
    }

    private void pollUntil(BooleanSupplier done, Duration timeout, java.util.function.Supplier<String> failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
            if (done.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get() + " within " + timeout.toSeconds() + " s");
            }
        }
    }

    private List<ConsumerRecord<String, byte[]>> matching(Predicate<ConsumerRecord<String, byte[]>> matching) {
        return seen.stream().filter(matching).toList();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
