package io.eventline.changefeed;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.eventline.localstack.LocalStack;

/** Reads a topic from the position it had when opened: what a test wrote, and nothing older. */
public final class TopicReader implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();

    public TopicReader(String topic) {
        consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", LocalStack.shared().kafkaBootstrapServers(),
                "enable.auto.commit", "false",
                "isolation.level", "read_committed"), new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // fix the start before anything is written
    }

    /** Polls until {@code count} records match, and returns the matching ones in arrival order. */
    public List<ConsumerRecord<String, byte[]>> await(Predicate<ConsumerRecord<String, byte[]>> matching, int count,
            Duration timeout) {
        Awaitility.await().atMost(timeout).until(() -> {
            poll();
            return matching(matching).size() >= count;
        });
        return matching(matching);
    }

    /** Reads up to the current end of every partition, so nothing already written is missed. */
    public List<ConsumerRecord<String, byte[]>> readToEnd(Predicate<ConsumerRecord<String, byte[]>> matching) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            poll();
            return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        });
        return matching(matching);
    }

    public static Predicate<ConsumerRecord<String, byte[]>> subject(Object subject) {
        return r -> {
            var h = r.headers().lastHeader(ChangeRecord.H_SUBJECT);
            return h != null && new String(h.value()).equals(subject.toString());
        };
    }

    public static String header(ConsumerRecord<String, byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value());
    }

    private void poll() {
        consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
    }

    private List<ConsumerRecord<String, byte[]>> matching(Predicate<ConsumerRecord<String, byte[]>> matching) {
        return seen.stream().filter(matching).toList();
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
