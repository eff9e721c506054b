package io.eventline.systemtests.faults;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.Topics;
import io.eventline.localstack.LocalStack;

/**
 * Produces change records of any type straight onto their topic, as a service's relay would
 * (idempotent, {@code acks=all}), for scenarios that need more records, or stranger audiences,
 * than driving the API could make.
 *
 * <p>The data of these records is deliberately not an aggregate's state (it has no {@code id}):
 * notification-service, which consumes eventline.events and eventline.messages, sends such a
 * record to its dead-letter topic (eventline.notifications.dlq) instead of deriving notifications
 * for made-up users.
 */
final class FaultProducer implements AutoCloseable {

    static final String SOURCE = "fault-suite";

    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            "bootstrap.servers", LocalStack.shared().kafkaBootstrapServers(), "acks", "all", "enable.idempotence", "true",
            "linger.ms", "5", "max.request.size", "2097152"), new StringSerializer(), new ByteArraySerializer());

    /** The topic of a record type (docs/api.md, "Change records"). */
    static String topicOf(String type) {
        if (type.startsWith("event.") || type.startsWith("booking.")) {
            return Topics.EVENTS;
        }
        if (type.startsWith("conversation.") || type.equals("message.sent")) {
            return Topics.MESSAGES;
        }
        if (type.startsWith("notification.")) {
            return Topics.NOTIFICATIONS;
        }
        throw new IllegalArgumentException("not an Eventline record type: " + type);
    }

    /** A record of {@code type} on its topic, with a fresh {@code ce_id}. */
    static ChangeRecord record(String type, String key, String subject, Audience audience, long version, String data) {
        return new ChangeRecord(topicOf(type), key, UUID.randomUUID().toString(), SOURCE, type, subject, Instant.now(),
                audience, version, data);
    }

    Future<RecordMetadata> send(ChangeRecord record) {
        return producer.send(record.toProducerRecord());
    }

    void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close();
    }
}
