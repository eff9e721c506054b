package io.eventline.notifications;

import static io.eventline.notifications.Feed.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.eventline.localstack.LocalStack;
import io.eventline.testsupport.LocalStackTestResource;
import io.eventline.launcher.ServiceProcess;
import io.eventline.notifications.Feed.Person;
import io.eventline.launcher.Ports;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * With the packaged events-service and messaging-service running on the same stack: a
 * submission notifies an admin, the approval notifies the partner, a message notifies the
 * other participant.
 */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "notifications"))
class EndToEndTest {

    static ServiceProcess events;
    static ServiceProcess messaging;

    @BeforeAll
    static void startServices() {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path logs = Path.of("target", "e2e-logs");
        LocalStack stack = LocalStack.shared();
        events = ServiceProcess.start(root, "events-service", Ports.free(), stack.serviceEnv("e2e_events"), logs);
        messaging = ServiceProcess.start(root, "messaging-service", Ports.free(), stack.serviceEnv("e2e_messaging"), logs);
        events.awaitReady(Duration.ofSeconds(90));
        messaging.awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stopServices() {
        if (events != null) {
            events.stop();
        }
        if (messaging != null) {
            messaging.stop();
        }
    }

    @Test
    void submissionApprovalAndMessageNotifyTheRightPeople() {
        Person pat = Person.of("partner");
        Person ada = Person.of("admin");
        Person uma = Person.of("user");
        Instant start = Instant.now().plus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

        String id = pat.req().baseUri(events.url()).body(Map.of("title", "Jazz Night", "venue", "Blue Room",
                "startsAt", start.toString(), "endsAt", start.plus(2, ChronoUnit.HOURS).toString(), "capacity", 20,
                "submit", true)).post("/api/events").then().statusCode(201).extract().path("id");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                ada.req().queryParam("limit", 100).get("/api/notifications").then().extract()
                        .<List<String>>path("items.findAll { it.subject.id == '" + id + "' }.type"))
                .containsExactly("EVENT_SUBMITTED"));

        ada.req().baseUri(events.url()).post("/api/events/" + id + "/approve").then().statusCode(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(types(pat)).containsExactly("EVENT_APPROVED"));

        String conversation = pat.req().baseUri(messaging.url()).body(Map.of("participantIds", List.of(uma.sub())))
                .post("/api/conversations").then().statusCode(201).extract().path("id");
        pat.req().baseUri(messaging.url()).body(Map.of("body", "see you there"))
                .post("/api/conversations/" + conversation + "/messages").then().statusCode(201);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(types(uma)).containsExactly("MESSAGE_RECEIVED"));
        assertThat(types(pat)).containsExactly("EVENT_APPROVED");
        RestAssured.reset();
    }

    @Test
    void oneTraceRunsFromTheRequestThroughKafkaToTheNotification() {
        String traceId = java.util.HexFormat.of().formatHex(java.nio.ByteBuffer.allocate(16)
                .putLong(System.nanoTime()).putLong(java.util.concurrent.ThreadLocalRandom.current().nextLong()).array());
        String traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
        Person pat = Person.of("partner");
        Instant start = Instant.now().plus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        try (var events = new io.eventline.testsupport.TopicReader("eventline.events");
                var notifications = new io.eventline.testsupport.TopicReader("eventline.notifications")) {
            String id = pat.req().baseUri(EndToEndTest.events.url()).header("traceparent", traceparent)
                    .body(Map.of("title", "Traced", "venue", "Blue Room", "startsAt", start.toString(), "endsAt",
                            start.plus(2, ChronoUnit.HOURS).toString(), "capacity", 20, "submit", true))
                    .post("/api/events").then().statusCode(201).extract().path("id");

            var published = events.await(io.eventline.testsupport.TopicReader.subject(id), 1, Duration.ofSeconds(20));
            assertThat(published).allSatisfy(r -> assertThat(io.eventline.testsupport.TopicReader.header(r, "traceparent"))
                    .as("the HTTP request's trace, on the record the events-service published")
                    .startsWith("00-" + traceId + "-").isNotEqualTo(traceparent));
            var derived = notifications.await(r -> io.eventline.testsupport.TopicReader.value(r).contains(id), 1,
                    Duration.ofSeconds(20));
            assertThat(io.eventline.testsupport.TopicReader.header(derived.get(0), "traceparent"))
                    .as("the same trace, on the notification derived from it").startsWith("00-" + traceId + "-");
        }
        RestAssured.reset();
    }

}
