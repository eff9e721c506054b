package io.eventline.notifications;

import static io.eventline.notifications.Feed.START;
import static io.eventline.notifications.Feed.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.Topics;
import io.eventline.testsupport.LocalStackTestResource;
import io.eventline.testsupport.TopicReader;
import io.eventline.notifications.Feed.Person;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** Source records on the real topics become the right notifications for the right people, once. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "notifications"))
class NotificationsFromRecordsTest {

    private static final Duration WITHIN = Duration.ofSeconds(20);

    @Inject
    MeterRegistry metrics;

    Feed feed;
    final Person pat = Person.of("partner");
    final Person uma = Person.of("user");
    final Person ned = Person.of("user");
    final UUID eventId = UUID.randomUUID();

    @BeforeEach
    void open() {
        feed = new Feed();
    }

    @AfterEach
    void close() {
        feed.close();
    }

    @Test
    void eachSourceRecordTypeNotifiesItsRecipientsAndNobodyElse() {
        Person ada = Person.of("admin");
        Person otherAdmin = Person.of("admin");
        Audience partnerAndAdmins = Audience.user(pat.sub()).and(Audience.role("admin"));
        Audience bookers = Audience.user(uma.sub()).and(Audience.user(pat.sub()));
        UUID booking = UUID.randomUUID();

        feed.send(
                feed.eventRecord("event.submitted", eventId, partnerAndAdmins, 1,
                        Feed.event(eventId, pat.sub(), "PENDING_APPROVAL", 1, "Blue Room", START, "x")),
                feed.eventRecord("event.approved", eventId, Audience.PUBLIC, 2,
                        Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x")),
                feed.record(Topics.EVENTS, eventId.toString(), "booking.confirmed", booking.toString(), bookers, 1,
                        Feed.booking(booking, eventId, uma.sub(), "CONFIRMED", 1)));

        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat)).contains("EVENT_APPROVED", "BOOKING_RECEIVED"));
        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(uma)).containsExactly("BOOKING_CONFIRMED"));
        assertThat(types(ada)).contains("EVENT_SUBMITTED");
        assertThat(types(otherAdmin)).contains("EVENT_SUBMITTED");
        assertThat(types(ned)).isEmpty();
        pat.req().get("/api/notifications").then()
                .body("items.find { it.type == 'EVENT_APPROVED' }.title", equalTo("Your event 'Jazz Night' was approved"))
                .body("items.find { it.type == 'EVENT_APPROVED' }.subject.kind", equalTo("event"))
                .body("items.find { it.type == 'EVENT_APPROVED' }.subject.id", equalTo(eventId.toString()));
    }

    @Test
    void aRejectionTellsThePartnerWhy() {
        feed.send(feed.eventRecord("event.rejected", eventId, Audience.user(pat.sub()).and(Audience.role("admin")), 2,
                Feed.event(eventId, pat.sub(), "REJECTED", 2, "Blue Room", START, "x")));
        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat)).containsExactly("EVENT_REJECTED"));
        pat.req().get("/api/notifications").then().body("items[0].body", equalTo("Reason: No address"));
    }

    @Test
    void updatesReachConfirmedBookersOnlyAndOnlyWhenTimeOrVenueChanged() {
        UUID umaBooking = UUID.randomUUID();
        UUID nedBooking = UUID.randomUUID();
        feed.send(
                feed.eventRecord("event.approved", eventId, Audience.PUBLIC, 2,
                        Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x")),
                booking(umaBooking, uma, "CONFIRMED", 1),
                booking(nedBooking, ned, "CONFIRMED", 1),
                booking(nedBooking, ned, "CANCELLED", 2),
                feed.eventRecord("event.updated", eventId, Audience.PUBLIC, 6,
                        Feed.event(eventId, pat.sub(), "APPROVED", 6, "Blue Room", START, "typo fixed")),
                feed.eventRecord("event.updated", eventId, Audience.PUBLIC, 7,
                        Feed.event(eventId, pat.sub(), "APPROVED", 7, "Green Hall", START, "typo fixed")),
                feed.eventRecord("event.updated", eventId, Audience.PUBLIC, 8,
                        Feed.event(eventId, pat.sub(), "APPROVED", 8, "Green Hall", START.plus(1, ChronoUnit.DAYS), "x")));

        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(uma))
                .containsExactly("EVENT_UPDATED", "EVENT_UPDATED", "BOOKING_CONFIRMED"));
        assertThat(types(ned)).containsExactly("BOOKING_CONFIRMED");
        uma.req().get("/api/notifications").then().body("items[1].body", equalTo("It is now at Green Hall."));
    }

    @Test
    void aRevisionReachesAdminsWhenSubmittedAndBookersOnlyOnceApproved() {
        Person ada = Person.of("admin");
        Audience partnerAndAdmins = Audience.user(pat.sub()).and(Audience.role("admin"));
        UUID umaBooking = UUID.randomUUID();
        String pending = withRevision(Feed.event(eventId, pat.sub(), "APPROVED", 4, "Blue Room", START, "x"),
                "PENDING", "Green Hall", "null");
        feed.send(
                feed.eventRecord("event.approved", eventId, Audience.PUBLIC, 2,
                        Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x")),
                booking(umaBooking, uma, "CONFIRMED", 1),
                // proposed: the bookers hear nothing, the admins get it to review
                feed.eventRecord("event.revision-submitted", eventId, partnerAndAdmins, 4, pending),
                feed.eventRecord("event.revision-rejected", eventId, partnerAndAdmins, 5,
                        withRevision(Feed.event(eventId, pat.sub(), "APPROVED", 5, "Blue Room", START, "x"),
                                "REJECTED", "Green Hall", "\"The hall is closed\"")),
                feed.eventRecord("event.revision-submitted", eventId, partnerAndAdmins, 6,
                        withRevision(Feed.event(eventId, pat.sub(), "APPROVED", 6, "Blue Room", START, "x"),
                                "PENDING", "Green Hall", "null")),
                // approved: the new venue is public, and the bookers are told
                feed.eventRecord("event.revision-approved", eventId, Audience.PUBLIC, 7,
                        Feed.event(eventId, pat.sub(), "APPROVED", 7, "Green Hall", START, "x")));

        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat))
                .containsExactlyInAnyOrder("REVISION_APPROVED", "REVISION_REJECTED", "BOOKING_RECEIVED", "EVENT_APPROVED"));
        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(uma))
                .containsExactly("EVENT_UPDATED", "BOOKING_CONFIRMED"));
        assertThat(types(ada)).contains("REVISION_SUBMITTED");
        uma.req().get("/api/notifications").then().body("items[0].body", equalTo("It is now at Green Hall."));
        pat.req().get("/api/notifications").then()
                .body("items.find { it.type == 'REVISION_REJECTED' }.body", equalTo(
                        "Reason: The hall is closed. The approved version stays as it was."));
    }

    /** {@code event} with a {@code revision} of the given status, venue and reason. */
    private static String withRevision(String event, String status, String venue, String reason) {
        return event.substring(0, event.length() - 1) + """
                ,"revision":{"status":"%s","title":"Jazz Night","description":"x","venue":"%s","startsAt":"%s",\
                "endsAt":"%s","category":null,"submittedAt":"%s","rejectionReason":%s}}""".formatted(status, venue,
                START, START.plus(3, ChronoUnit.HOURS), START, reason);
    }

    @Test
    void aCancellationReachesConfirmedBookersOnly() {
        UUID umaBooking = UUID.randomUUID();
        feed.send(
                feed.eventRecord("event.approved", eventId, Audience.PUBLIC, 2,
                        Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x")),
                booking(umaBooking, uma, "CONFIRMED", 1),
                feed.eventRecord("event.cancelled", eventId, Audience.PUBLIC, 4,
                        Feed.event(eventId, pat.sub(), "CANCELLED", 4, "Blue Room", START, "x")),
                booking(umaBooking, uma, "CANCELLED", 2));

        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(uma))
                .containsExactly("EVENT_CANCELLED", "BOOKING_CONFIRMED"));
        assertThat(types(ned)).isEmpty();
    }

    @Test
    void aMessageNotifiesEveryParticipantButTheSender() {
        UUID conversation = UUID.randomUUID();
        String body = "see you at the door, the one with the blue sign next to the bakery, around seven thirty ok?";
        feed.send(feed.record(Topics.MESSAGES, conversation.toString(), "message.sent", conversation.toString(),
                Audience.users(List.of(pat.sub(), uma.sub(), ned.sub())), 1, Feed.message(conversation, pat.sub(), body, 1)));

        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(ned)).containsExactly("MESSAGE_RECEIVED"));
        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(uma)).containsExactly("MESSAGE_RECEIVED"));
        assertThat(types(pat)).isEmpty();
        uma.req().get("/api/notifications").then().body("items[0].title",
                equalTo("Alice sent you a message: '" + body.substring(0, 80) + "…'"));
    }

    @Test
    void theSameRecordAgainCreatesNothing() {
        ChangeRecord approved = feed.eventRecord("event.approved", eventId, Audience.PUBLIC, 2,
                Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x"));
        feed.send(approved);
        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat)).hasSize(1));
        double duplicatesBefore = counter("duplicate");

        feed.send(approved, approved); // the same ce_id, delivered twice more

        // both copies were read and recognised, not missed
        await().atMost(WITHIN).until(() -> counter("duplicate") >= duplicatesBefore + 2);
        assertThat(types(pat)).hasSize(1);
        assertThat(notificationsFrom(approved.id())).isEqualTo(1);
    }

    @Test
    void aMalformedRecordBetweenTwoGoodOnesGoesToTheDeadLetterTopicAndTheConsumerGoesOn() {
        double poisonBefore = counter("poison");
        String key = eventId.toString();
        ChangeRecord good1 = feed.eventRecord("event.approved", eventId, Audience.PUBLIC, 2,
                Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x"));
        ChangeRecord good2 = feed.eventRecord("event.rejected", eventId, Audience.user(pat.sub()), 3,
                Feed.event(eventId, pat.sub(), "REJECTED", 3, "Blue Room", START, "x"));
        try (TopicReader dlq = new TopicReader(DeadLetterTest.DLQ)) {
            feed.send(good1);
            feed.send(new ProducerRecord<>(Topics.EVENTS, key, "{not json".getBytes(StandardCharsets.UTF_8)));
            feed.send(good2);

            await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat)).containsExactlyInAnyOrder(
                    "EVENT_APPROVED", "EVENT_REJECTED"));
            var dead = dlq.await(TopicReader.key(key), 1, WITHIN);
            assertThat(dead).hasSize(1);
            assertThat(TopicReader.value(dead.get(0))).isEqualTo("{not json");
            assertThat(TopicReader.header(dead.get(0), "dead-letter-reason")).isEqualTo("not a change record");
            assertThat(TopicReader.header(dead.get(0), "dead-letter-cause")).isEqualTo("missing ce_specversion");
            assertThat(TopicReader.header(dead.get(0), "dead-letter-topic")).isEqualTo(Topics.EVENTS);
        }
        assertThat(counter("poison")).isEqualTo(poisonBefore + 1);
    }

    @Test
    void aRecordWithoutAudienceIsDeadLetteredAndOneOfAnUnknownTypeIsIgnored() {
        double poison = counter("poison");
        double ignored = counter("ignored");
        ChangeRecord approved = feed.eventRecord("event.approved", eventId, Audience.PUBLIC, 2,
                Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x"));
        ProducerRecord<String, byte[]> noAudience = approved.toProducerRecord();
        noAudience.headers().remove(ChangeRecord.H_AUDIENCE);
        ChangeRecord unknown = feed.eventRecord("event.teleported", eventId, Audience.PUBLIC, 3,
                "{\"id\":\"" + eventId + "\"}");
        ChangeRecord after = feed.eventRecord("event.rejected", eventId, Audience.user(pat.sub()), 4,
                Feed.event(eventId, pat.sub(), "REJECTED", 4, "Blue Room", START, "x"));
        try (TopicReader dlq = new TopicReader(DeadLetterTest.DLQ)) {
            feed.send(noAudience);
            feed.send(unknown);
            feed.send(after);

            await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat)).containsExactly("EVENT_REJECTED"));
            var dead = dlq.await(r -> approved.id().equals(TopicReader.header(r, ChangeRecord.H_ID)), 1, WITHIN);
            assertThat(TopicReader.header(dead.get(0), "dead-letter-cause")).isEqualTo("missing ce_audience");
            // forward compatibility: a type we do not know is acked and ignored, never dead-lettered
            assertThat(dlq.readToEnd(r -> unknown.id().equals(TopicReader.header(r, ChangeRecord.H_ID)))).isEmpty();
        }
        assertThat(counter("poison")).isEqualTo(poison + 1);
        assertThat(counter("ignored")).isEqualTo(ignored + 1);
    }

    private ChangeRecord booking(UUID id, Person user, String status, long version) {
        return feed.record(Topics.EVENTS, eventId.toString(), status.equals("CONFIRMED") ? "booking.confirmed"
                : "booking.cancelled", id.toString(), Audience.user(user.sub()).and(Audience.user(pat.sub())), version,
                Feed.booking(id, eventId, user.sub(), status, version));
    }

    private double counter(String outcome) {
        var c = metrics.find("eventline.notifications.records").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private static long notificationsFrom(String ceId) {
        return QuarkusTransaction.requiringNew().call(() -> Notification.count("sourceId", ceId));
    }
}
