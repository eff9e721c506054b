package io.eventline.notifications;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.Topics;
import io.eventline.localstack.DevTokens;
import io.eventline.localstack.LocalStack;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Produces change records shaped exactly as events-service and messaging-service publish them. */
final class Feed implements AutoCloseable {

    record Person(String sub, String role) {
        static Person of(String role) {
            return new Person(role + "-" + UUID.randomUUID(), role);
        }

        RequestSpecification req() {
            return given().auth().oauth2(DevTokens.mint(sub, role, sub, Duration.ofMinutes(30)))
                    .contentType(ContentType.JSON);
        }
    }

    private final KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
            Map.of("bootstrap.servers", LocalStack.shared().kafkaBootstrapServers(), "acks", "all"),
            new StringSerializer(), new ByteArraySerializer());

    static final Instant START = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    /** An events-service event JSON. */
    static String event(UUID id, String partner, String status, long version, String venue, Instant startsAt,
            String description) {
        return """
                {"id":"%s","partnerId":"%s","title":"Jazz Night","description":"%s","venue":"%s","startsAt":"%s",\
                "endsAt":"%s","capacity":50,"seatsBooked":0,"category":null,"status":"%s","rejectionReason":%s,\
                "version":%d,"createdAt":"%s","updatedAt":"%s"}""".formatted(id, partner, description, venue, startsAt,
                startsAt.plus(3, ChronoUnit.HOURS), status, status.equals("REJECTED") ? "\"No address\"" : "null",
                version, START, START);
    }

    /** An events-service booking JSON. */
    static String booking(UUID id, UUID eventId, String user, String status, long version) {
        return """
                {"id":"%s","eventId":"%s","userId":"%s","seats":2,"status":"%s","version":%d,"createdAt":"%s",\
                "event":{"title":"Jazz Night","venue":"Blue Room","startsAt":"%s","endsAt":"%s","status":"APPROVED",\
                "capacity":50,"seatsBooked":2}}""".formatted(id, eventId, user, status, version, START, START,
                START.plus(3, ChronoUnit.HOURS));
    }

    /** A messaging-service message JSON. */
    static String message(UUID conversation, String sender, String body, long seq) {
        return """
                {"id":"%s","conversationId":"%s","senderId":"%s","senderName":"Alice","body":"%s","seq":%d,\
                "sentAt":"%s"}""".formatted(UUID.randomUUID(), conversation, sender, body, seq, START);
    }

    ChangeRecord record(String topic, String key, String type, String subject, Audience audience, long version,
            String data) {
        return new ChangeRecord(topic, key, UUID.randomUUID().toString(), "test", type, subject, Instant.now(), audience,
                version, data);
    }

    ChangeRecord eventRecord(String type, UUID eventId, Audience audience, long version, String data) {
        return record(Topics.EVENTS, eventId.toString(), type, eventId.toString(), audience, version, data);
    }

    void send(ChangeRecord... records) {
        for (ChangeRecord r : records) {
            send(r.toProducerRecord());
        }
    }

    /** All of them in one go (pipelined, in order), waiting only for the last acknowledgement. */
    void sendAll(List<ChangeRecord> records) {
        try {
            Future<?> last = null;
            for (ChangeRecord r : records) {
                last = producer.send(r.toProducerRecord());
            }
            producer.flush();
            if (last != null) {
                last.get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    void send(ProducerRecord<String, byte[]> record) {
        try {
            producer.send(record).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static List<String> types(Person p) {
        return p.req().queryParam("limit", 100).get("/api/notifications").then().statusCode(200).extract()
                .path("items.type");
    }

    static long unread(Person p) {
        return p.req().get("/api/notifications/unread-count").then().statusCode(200).extract()
                .<Number>path("count").longValue();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(2));
    }
}
