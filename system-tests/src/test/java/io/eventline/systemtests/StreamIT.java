package io.eventline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.systemtests.SseClient.Event;
import io.eventline.testsupport.TopicReader;

/**
 * Routing over the real system: the packaged services and two gateway instances, real HTTP and
 * the SSE wire format. Absence is proven by a stream's cursor moving past the record, never by
 * waiting a while.
 */
public class StreamIT extends AgainstCluster {

    static final Duration SECOND = Duration.ofSeconds(1);
    static final Duration PASS = Duration.ofSeconds(10);
    /**
     * For the paths without a latency line in the acceptance (approvals, messages, notifications,
     * which take one more hop): generous, because the first calls after start meet a cold JIT on
     * a 2-core machine running five JVMs, Kafka and PostgreSQL. Latency is measured in bench/.
     */
    static final Duration SOON = Duration.ofSeconds(5);

    public static SseClient open(String base, Rest who) {
        SseClient stream = SseClient.open(base + "/api/stream", who.token, null);
        assertThat(stream.status()).as(stream.errorBody()).isEqualTo(200);
        assertThat(stream.contentType()).startsWith("text/event-stream");
        Event ready = stream.next(Duration.ofSeconds(5));
        assertThat(ready.event()).isEqualTo("ready");
        assertThat(ready.json().getBoolean("resumed")).isFalse();
        assertThat(ready.id()).isEqualTo(ready.json().getString("cursor"));
        assertThat(stream.retry()).isBetween(1_000, 5_000);
        return stream;
    }

    /** A notification derived from a change to {@code eventId}. */
    static Predicate<Event> notificationAbout(String eventId) {
        return e -> e.event().equals("notification.created")
                && eventId.equals(e.json().getJsonObject("data").getJsonObject("subject").getString("id"));
    }

    static Predicate<Event> record(String type, String subject) {
        return e -> e.event().equals(type) && subject.equals(e.json().getString("subject"));
    }

    /** Reads the stream until its cursor is past the record; returns the records it delivered meanwhile. */
    static List<Event> readPast(SseClient stream, ConsumerRecord<String, byte[]> record) {
        List<Event> seen = new ArrayList<>();
        long deadline = System.nanoTime() + PASS.toNanos();
        while (System.nanoTime() < deadline) {
            Event e = stream.next(PASS);
            assertThat(e).as("the stream ended").isNotNull();
            if (!e.event().equals("heartbeat")) {
                seen.add(e);
            }
            if (e.id() != null && Cursors.past(e.id(), record.topic(), record.partition(), record.offset())) {
                return seen;
            }
        }
        throw new AssertionError("the stream did not move past " + record.topic() + "-" + record.partition() + "@"
                + record.offset() + " within " + PASS);
    }

    static void assertNotDelivered(SseClient stream, ConsumerRecord<String, byte[]> record) {
        String id = TopicReader.header(record, "ce_id");
        assertThat(readPast(stream, record)).extracting(Event::recordId).doesNotContain(id);
    }

    @Test
    void bothTabsOfAPartnerGetEventCreatedWithinASecondAndAUserDoesNot() {
        Rest partner = new Rest(a, "partner");
        Rest user = new Rest(a, "user");
        try (TopicReader topic = new TopicReader("eventline.events");
                SseClient tab1 = open(a, partner); SseClient tab2 = open(b, partner); SseClient other = open(a, user)) {
            String id = partner.createEvent("Two tabs").getString("id");
            List<Event> first = tab1.until(record("event.created", id), SECOND);
            List<Event> second = tab2.until(record("event.created", id), SECOND);

            Event created = first.get(first.size() - 1);
            assertThat(created.json().getString("audience")).isEqualTo("user:" + partner.sub);
            assertThat(created.json().getJsonObject("data").getString("title")).isEqualTo("Two tabs");
            assertThat(second.get(second.size() - 1).recordId()).isEqualTo(created.recordId());
            assertNotDelivered(other, topic.await(TopicReader.subject(id), 1, PASS).get(0));
        }
    }

    @Test
    void anAdminsApprovalReachesThePartnerWithItsNotification() {
        Rest partner = new Rest(a, "partner");
        Rest admin = new Rest(b, "admin");
        try (SseClient partnerTab = open(a, partner); SseClient adminTab = open(b, admin)) {
            String id = partner.createEvent("For approval").getString("id");
            partner.transition(id, "submit");
            adminTab.until(record("event.submitted", id), SOON);

            admin.transition(id, "approve");
            partnerTab.until(record("event.approved", id), SOON);
            partnerTab.until(notificationAbout(id), SOON);
        }
    }

    @Test
    void aMessageReachesEveryParticipantAndNobodyElse() {
        Rest alice = new Rest(a, "user");
        Rest bob = new Rest(b, "partner");
        Rest carol = new Rest(a, "user");
        try (TopicReader topic = new TopicReader("eventline.messages");
                SseClient aliceTab = open(a, alice); SseClient bobTab = open(b, bob); SseClient carolTab = open(a, carol)) {
            String conversation = alice.conversation(bob.sub).getString("id");
            aliceTab.until(record("conversation.created", conversation), SOON);
            bobTab.until(record("conversation.created", conversation), SOON);

            alice.send(conversation, "See you there");
            List<Event> toBob = bobTab.until(record("message.sent", conversation), SOON);
            Event got = toBob.get(toBob.size() - 1);
            assertThat(got.json().getJsonObject("data").getString("body")).isEqualTo("See you there");
            aliceTab.until(record("message.sent", conversation), SOON);

            List<ConsumerRecord<String, byte[]>> records = topic.await(TopicReader.key(conversation), 2, PASS);
            assertNotDelivered(carolTab, records.get(0));
            assertNotDelivered(carolTab, records.get(1));
        }
    }

    @Test
    void aNotificationReachesOnlyItsRecipient() {
        Rest owner = new Rest(a, "partner");
        Rest otherPartner = new Rest(a, "partner");
        Rest admin = new Rest(a, "admin");
        try (TopicReader notifications = new TopicReader("eventline.notifications");
                SseClient ownerTab = open(a, owner); SseClient otherTab = open(b, otherPartner)) {
            String id = owner.createEvent("Notify me").getString("id");
            owner.transition(id, "submit");
            admin.transition(id, "approve");

            List<Event> seen = ownerTab.until(notificationAbout(id), SOON);
            Event notification = seen.get(seen.size() - 1);
            assertThat(notification.json().getString("audience")).isEqualTo("user:" + owner.sub);

            otherTab.until(record("event.approved", id), SOON); // public: everyone sees the approval itself
            ConsumerRecord<String, byte[]> record = notifications.await(
                    r -> ("user:" + owner.sub).equals(TopicReader.header(r, "ce_audience")), 1, PASS).get(0);
            assertNotDelivered(otherTab, record);
        }
    }

    @Test
    void heartbeatsArriveOftenAndCarryTheCursor() {
        Rest user = new Rest(a, "user");
        try (SseClient stream = open(a, user)) {
            Event heartbeat = stream.next(Duration.ofSeconds(5)); // every 2 s in these tests, 10 s by default
            assertThat(heartbeat.event()).isEqualTo("heartbeat");
            assertThat(Cursors.offsets(heartbeat.id())).hasSize(18);
        }
    }

    /**
     * A heartbeat goes only to a stream that has sent nothing for a while: one that records keep
     * busy gets none (under load a heartbeat to every stream is one more fan-out to all of them),
     * while an idle one beside it still gets one every interval (2 s here).
     */
    @Test
    void aStreamThatRecordsKeepBusyGetsNoHeartbeatWhileAnIdleOneKeepsGettingThem() throws Exception {
        Rest user = new Rest(a, "user");
        ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
        try (SseClient busy = open(a, user); SseClient idle = open(a, new Rest(a, "user")); Publish publish = new Publish()) {
            pacer.scheduleAtFixedRate(() -> publish.events(1, Audience.user(user.sub), 64), 0, 300, TimeUnit.MILLISECONDS);
            List<String> seen = busy.all(Duration.ofSeconds(6)).stream().map(Event::event).toList();
            pacer.shutdownNow();
            assertThat(pacer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            int firstRecord = seen.indexOf("event.updated");
            assertThat(firstRecord).as("the busy stream's frames: %s", seen).isNotNegative();
            assertThat(seen.subList(firstRecord, seen.size())).as("once records flow").doesNotContain("heartbeat")
                    .hasSizeGreaterThan(10);
            long heartbeats = idle.all(Duration.ofMillis(200)).stream().filter(e -> e.event().equals("heartbeat")).count();
            assertThat(heartbeats).as("the idle stream's heartbeats in those 6 s").isGreaterThanOrEqualTo(2);
        } finally {
            pacer.shutdownNow();
        }
    }
}
