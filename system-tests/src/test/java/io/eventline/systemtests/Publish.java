package io.eventline.systemtests;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.localstack.LocalStack;

/** Produces change records straight onto a topic, as a service's relay would. */
public final class Publish implements AutoCloseable {

    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            "bootstrap.servers", LocalStack.shared().kafkaBootstrapServers(), "acks", "all", "linger.ms", "5",
            "max.request.size", "2097152"), new StringSerializer(), new ByteArraySerializer());

    /** {@code count} records on eventline.events with the given audience, data padded to {@code size} bytes. */
    public List<RecordMetadata> events(int count, Audience audience, int size) {
        String padding = "x".repeat(Math.max(0, size - 64));
        List<java.util.concurrent.Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = UUID.randomUUID().toString();
            ChangeRecord record = new ChangeRecord("eventline.events", id, UUID.randomUUID().toString(), "gateway-it",
                    "event.updated", id, Instant.now(), audience, 1, "{\"id\":\"" + id + "\",\"pad\":\"" + padding + "\"}");
            sent.add(producer.send(record.toProducerRecord()));
        }
        producer.flush();
        List<RecordMetadata> out = new ArrayList<>();
        for (var f : sent) {
            try {
                out.add(f.get());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /**
     * One record on eventline.events, marked {@code marker} in its data, whose {@code ce_audience}
     * header is {@code audienceHeader} exactly (null: no such header), valid or not, as a broken or
     * hostile producer could write it.
     */
    public RecordMetadata eventWithAudienceHeader(String marker, String audienceHeader) {
        String id = UUID.randomUUID().toString();
        ProducerRecord<String, byte[]> record = new ChangeRecord("eventline.events", id, UUID.randomUUID().toString(),
                "gateway-it", "event.updated", id, Instant.now(), Audience.PUBLIC, 1,
                "{\"id\":\"" + id + "\",\"marker\":\"" + marker + "\"}").toProducerRecord();
        record.headers().remove(ChangeRecord.H_AUDIENCE);
        if (audienceHeader != null) {
            record.headers().add(ChangeRecord.H_AUDIENCE, audienceHeader.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        try {
            return producer.send(record).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
