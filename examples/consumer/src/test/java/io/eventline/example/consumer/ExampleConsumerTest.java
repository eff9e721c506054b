package io.eventline.example.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.RecordTypes;
import io.eventline.changerecord.Topics;
import io.eventline.localstack.LocalStack;
import io.eventline.changerecord.DataSchemas;

/**
 * The example consumer against the project's local Kafka broker, fed by the project's own record
 * writer ({@link ChangeRecord#toProducerRecord()}, what the outbox relay publishes), so the real
 * wire format is read by the CloudEvents SDK.
 */
class ExampleConsumerTest {

    private static final Duration ARRIVAL = Duration.ofSeconds(30);

    static LocalStack stack;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startBroker() {
        // Kafka only: naming a database (never connected to) keeps LocalStack from starting PostgreSQL.
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putIfAbsent("EVENTLINE_DB_URL", "jdbc:postgresql://127.0.0.1:1/unused");
        stack = LocalStack.start(env);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopBroker() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void readsRecordsOfAllThreeTopicsWithTheirTypeIdSubjectDataschemaAndData() throws Exception {
        UUID eventId = UUID.randomUUID();
        UUID conversationId = UUID.randomUUID();
        UUID notificationId = UUID.randomUUID();
        String partner = "partner-" + UUID.randomUUID();
        ChangeRecord event = record(Topics.EVENTS, eventId.toString(), "event.approved", eventId.toString(),
                Audience.PUBLIC, 3, eventJson(eventId, partner, "Jazz night", ""));
        UUID messageId = UUID.randomUUID();
        ChangeRecord message = record(Topics.MESSAGES, conversationId.toString(), "message.sent",
                conversationId.toString(), Audience.users(List.of("alice", "bob")), 1,
                messageJson(messageId, conversationId, 1, "hello"));
        ChangeRecord notification = record(Topics.NOTIFICATIONS, partner, "notification.created",
                notificationId.toString(), Audience.user(partner), 1,
                notificationJson(notificationId, eventId, false, event.id()));
        Map<String, Sent> sent = new HashMap<>();
        for (ChangeRecord r : List.of(event, message, notification)) {
            assertThat(DataSchemas.strictViolations(RecordTypes.schemaOf(r.type()), r.data())).as(r.type()).isEmpty();
            sent.put(r.id(), publish(r.toProducerRecord()));
        }

        try (Run run = new Run("team-example.test-topics-" + UUID.randomUUID())) {
            run.awaitHandled(event.id(), message.id(), notification.id());

            Change e = run.handled(event.id()).get(0);
            assertAttributes(e, event, sent.get(event.id()));
            assertThat(e.data()).isEqualTo(new Payloads.Event(eventId.toString(), partner, "Jazz night", "Blue Note",
                    "2027-01-15T20:00:00Z", "APPROVED", 120, 7, 3));
            Change m = run.handled(message.id()).get(0);
            assertAttributes(m, message, sent.get(message.id()));
            assertThat(m.data()).isEqualTo(new Payloads.Message(messageId.toString(),
                    conversationId.toString(), "alice", "Alice", "hello", 1, "2026-12-03T10:00:00Z"));
            Change n = run.handled(notification.id()).get(0);
            assertAttributes(n, notification, sent.get(notification.id()));
            assertThat(n.data()).isEqualTo(new Payloads.Notification(notificationId.toString(), "EVENT_APPROVED",
                    "Approved", "Jazz night is live", new Payloads.Notification.Subject("event", eventId.toString()),
                    false, "2026-12-03T10:00:01Z", event.id()));
            assertThat(run.consumer.undecodable()).isZero();
        }
    }

    @Test
    void skipsARecordOfAnUnknownTypeAndGoesOnWithTheNextOne() throws Exception {
        UUID eventId = UUID.randomUUID();
        // Same key, so the same partition: the known record comes after the unknown one.
        ChangeRecord unknown = record(Topics.EVENTS, eventId.toString(), "event.teleported", eventId.toString(),
                Audience.PUBLIC, 4, "{\"id\":\"" + eventId + "\",\"destination\":\"Mars\"}");
        ChangeRecord known = record(Topics.EVENTS, eventId.toString(), "event.updated", eventId.toString(),
                Audience.PUBLIC, 5, eventJson(eventId, "p", "After the jump", ""));
        publish(unknown.toProducerRecord());
        publish(known.toProducerRecord());

        try (Run run = new Run("team-example.test-unknown-type-" + UUID.randomUUID())) {
            run.awaitHandled(known.id());

            assertThat(run.handled(unknown.id())).isEmpty();
            assertThat(run.consumer.unknownTypes()).isPositive();
            assertThat(((Payloads.Event) run.handled(known.id()).get(0).data()).title()).isEqualTo("After the jump");
        }
    }

    @Test
    void readsTheDataschemaVersionItKnowsAndSkipsANewerOne() throws Exception {
        UUID eventId = UUID.randomUUID();
        // A breaking change's transition: the same change once per version, each with its own ce_id.
        ChangeRecord v1 = record(Topics.EVENTS, eventId.toString(), "event.updated", eventId.toString(),
                Audience.PUBLIC, 6, eventJson(eventId, "p", "Both versions", ""));
        ChangeRecord v2 = record(Topics.EVENTS, eventId.toString(), "event.updated", eventId.toString(),
                Audience.PUBLIC, 6, "{\"id\":\"" + eventId + "\",\"headline\":\"Both versions\"}");
        ProducerRecord<String, byte[]> v2Wire = v2.toProducerRecord();
        v2Wire.headers().remove("ce_dataschema");
        v2Wire.headers().add("ce_dataschema",
                "https://eventline.dev/schemas/event.updated/v2.json".getBytes(StandardCharsets.UTF_8));
        publish(v2Wire);
        publish(v1.toProducerRecord());

        try (Run run = new Run("team-example.test-version-" + UUID.randomUUID())) {
            run.awaitHandled(v1.id());

            assertThat(run.handled(v2.id())).isEmpty();
            assertThat(run.consumer.unknownTypes()).isPositive();
        }
    }

    @Test
    void ignoresDataFieldsAndAttributesItDoesNotKnow() throws Exception {
        UUID eventId = UUID.randomUUID();
        ChangeRecord extended = record(Topics.EVENTS, eventId.toString(), "event.updated", eventId.toString(),
                Audience.PUBLIC, 2, eventJson(eventId, "p", "Grown",
                        ",\"ticketTiers\":[{\"name\":\"early\",\"price\":12}],\"accessibility\":{\"stepFree\":true}"));
        ProducerRecord<String, byte[]> wire = extended.toProducerRecord();
        wire.headers().add("ce_futureattribute", "a later extension".getBytes(StandardCharsets.UTF_8));
        publish(wire);

        try (Run run = new Run("team-example.test-unknown-field-" + UUID.randomUUID())) {
            run.awaitHandled(extended.id());

            Payloads.Event data = (Payloads.Event) run.handled(extended.id()).get(0).data();
            assertThat(data.title()).isEqualTo("Grown");
            assertThat(data.version()).isEqualTo(3);
            assertThat(run.consumer.undecodable()).isZero();
        }
    }

    @Test
    void handlesARecordDeliveredTwiceOnce() throws Exception {
        UUID conversationId = UUID.randomUUID();
        // The relay's at-least-once delivery: the same record (one ce_id) published twice.
        ChangeRecord twice = record(Topics.MESSAGES, conversationId.toString(), "message.sent",
                conversationId.toString(), Audience.users(List.of("alice", "bob")), 1,
                messageJson(UUID.randomUUID(), conversationId, 1, "one"));
        ChangeRecord after = record(Topics.MESSAGES, conversationId.toString(), "message.sent",
                conversationId.toString(), Audience.users(List.of("alice", "bob")), 2,
                messageJson(UUID.randomUUID(), conversationId, 2, "two"));
        publish(twice.toProducerRecord());
        publish(twice.toProducerRecord());
        publish(after.toProducerRecord());

        try (Run run = new Run("team-example.test-duplicate-" + UUID.randomUUID())) {
            run.awaitHandled(after.id());

            assertThat(run.handled(twice.id())).hasSize(1);
            assertThat(run.consumer.duplicates()).isPositive();
        }
    }

    @Test
    void skipsARecordThatIsNotACloudEventAndGoesOn() throws Exception {
        UUID conversationId = UUID.randomUUID();
        publish(new ProducerRecord<>(Topics.MESSAGES, conversationId.toString(),
                "not a change record".getBytes(StandardCharsets.UTF_8)));
        ChangeRecord after = record(Topics.MESSAGES, conversationId.toString(), "message.sent",
                conversationId.toString(), Audience.users(List.of("alice", "bob")), 1,
                messageJson(UUID.randomUUID(), conversationId, 1, "ok"));
        publish(after.toProducerRecord());

        try (Run run = new Run("team-example.test-not-cloudevent-" + UUID.randomUUID())) {
            run.awaitHandled(after.id());

            assertThat(run.consumer.undecodable()).isPositive();
        }
    }

    @Test
    void commitsOffsetsAfterHandlingSoARestartedConsumerDoesNotReadThemAgain() throws Exception {
        String group = "team-example.test-commit-" + UUID.randomUUID();
        UUID notificationId = UUID.randomUUID();
        UUID eventId = UUID.randomUUID();
        String derivedFrom = UUID.randomUUID().toString();
        String user = "user-" + UUID.randomUUID();
        ChangeRecord first = record(Topics.NOTIFICATIONS, user, "notification.created", notificationId.toString(),
                Audience.user(user), 1, notificationJson(notificationId, eventId, false, derivedFrom));
        RecordMetadata at = publish(first.toProducerRecord()).metadata;
        try (Run run = new Run(group)) {
            run.awaitHandled(first.id());
        }
        TopicPartition partition = new TopicPartition(at.topic(), at.partition());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.kafkaBootstrapServers()))) {
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(partition);
            assertThat(committed).isNotNull();
            assertThat(committed.offset()).isGreaterThan(at.offset());
        }

        ChangeRecord second = record(Topics.NOTIFICATIONS, user, "notification.read", notificationId.toString(),
                Audience.user(user), 2, notificationJson(notificationId, eventId, true, derivedFrom));
        publish(second.toProducerRecord());
        try (Run restarted = new Run(group)) {
            restarted.awaitHandled(second.id());

            assertThat(restarted.handled(first.id())).isEmpty();
        }
    }

    // --- the records, written by the project's own code -----------------------------------------

    private static ChangeRecord record(String topic, String key, String type, String subject, Audience audience,
            long version, String data) {
        return new ChangeRecord(topic, key, UUID.randomUUID().toString(), "example-consumer-test", type, subject,
                Instant.now().truncatedTo(ChronoUnit.MICROS), audience, version, data);
    }

    private static String eventJson(UUID id, String partner, String title, String extraFields) {
        return """
                {"id":"%s","partnerId":"%s","title":"%s","description":"Live jazz","venue":"Blue Note",\
                "startsAt":"2027-01-15T20:00:00Z","endsAt":"2027-01-15T23:00:00Z","capacity":120,"seatsBooked":7,\
                "category":"music","status":"APPROVED","rejectionReason":null,"version":3,\
                "createdAt":"2026-12-01T09:00:00Z","updatedAt":"2026-12-03T09:30:00Z"%s}"""
                .formatted(id, partner, title, extraFields);
    }

    private static String messageJson(UUID id, UUID conversationId, long seq, String body) {
        return """
                {"id":"%s","conversationId":"%s","senderId":"alice","senderName":"Alice","body":"%s","seq":%d,\
                "sentAt":"2026-12-03T10:00:00Z"}""".formatted(id, conversationId, body, seq);
    }

    private static String notificationJson(UUID id, UUID eventId, boolean read, String sourceId) {
        return """
                {"id":"%s","type":"EVENT_APPROVED","title":"Approved","body":"Jazz night is live",\
                "subject":{"kind":"event","id":"%s"},"read":%s,"createdAt":"2026-12-03T10:00:01Z",\
                "sourceId":"%s"}""".formatted(id, eventId, read, sourceId);
    }

    private static Sent publish(ProducerRecord<String, byte[]> record) throws Exception {
        return new Sent(record, producer.send(record).get(10, TimeUnit.SECONDS));
    }

    private record Sent(ProducerRecord<String, byte[]> record, RecordMetadata metadata) {
    }

    private static void assertAttributes(Change change, ChangeRecord expected, Sent sent) {
        assertThat(change.topic()).isEqualTo(expected.topic());
        assertThat(change.key()).isEqualTo(expected.key());
        assertThat(change.id()).isEqualTo(expected.id());
        assertThat(change.type()).isEqualTo(expected.type());
        assertThat(change.source()).isEqualTo(expected.source());
        assertThat(change.subject()).isEqualTo(expected.subject());
        assertThat(change.time().toInstant()).isEqualTo(expected.time());
        assertThat(change.audience()).isEqualTo(expected.audience().format());
        assertThat(change.aggregateVersion()).isEqualTo(expected.aggregateVersion());
        // The writer derives ce_dataschema from the type; the SDK hands it over as written.
        Header dataschema = sent.record().headers().lastHeader("ce_dataschema");
        assertThat(dataschema).as("ce_dataschema of " + expected.type()).isNotNull();
        assertThat(change.dataschema())
                .isEqualTo(URI.create(new String(dataschema.value(), StandardCharsets.UTF_8)))
                .isEqualTo(URI.create(RecordTypes.dataSchemaOf(expected.type()).orElseThrow()));
    }

    /** The example consumer running on its own thread, recording what it handled. */
    private static final class Run implements AutoCloseable {

        final Queue<Change> changes = new ConcurrentLinkedQueue<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final ChangeFeedConsumer consumer;
        final Thread thread;

        Run(String group) {
            ConsumerSettings settings = ConsumerSettings.from(Map.of(
                    "KAFKA_BOOTSTRAP_SERVERS", stack.kafkaBootstrapServers(),
                    "KAFKA_GROUP_ID", group), new Properties());
            consumer = new ChangeFeedConsumer(settings, changes::add);
            thread = Thread.ofPlatform().name("example-consumer-" + group).unstarted(consumer);
            thread.setUncaughtExceptionHandler((t, e) -> failure.set(e));
            thread.start();
        }

        void awaitHandled(String... ids) {
            await().atMost(ARRIVAL).failFast("the consumer failed", () -> failure.get() != null)
                    .untilAsserted(() -> assertThat(changes.stream().map(Change::id)).contains(ids));
        }

        List<Change> handled(String id) {
            return changes.stream().filter(c -> c.id().equals(id)).toList();
        }

        @Override
        public void close() throws InterruptedException {
            consumer.stop();
            thread.join(Duration.ofSeconds(15));
            assertThat(thread.isAlive()).as("the consumer stopped").isFalse();
            assertThat(failure.get()).as("the consumer failed").isNull();
        }
    }
}
