package io.eventline.notifications;

import static io.eventline.testsupport.TopicReader.header;
import static io.eventline.notifications.Feed.START;
import static io.eventline.notifications.Feed.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.InvalidChangeRecordException;
import io.eventline.changerecord.Topics;
import io.eventline.localstack.LocalStack;
import io.eventline.testsupport.LocalStackTestResource;
import io.eventline.testsupport.TopicReader;
import io.eventline.notifications.Feed.Person;
import io.eventline.notifications.consumer.PoisonRecordException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * On the real broker and database: a record that cannot be applied, or whose data its published
 * schema rejects, goes to the dead-letter topic with its cause and leaves nothing behind, the next
 * one is applied; additive data is applied; a ce_id seen twice acts once.
 */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "notifications"))
class DeadLetterTest {

    static final String DLQ = "eventline.notifications.dlq";
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @Inject
    EntityManager em;
    @Inject
    MeterRegistry metrics;

    Feed feed;
    TopicReader dlq;
    final Person pat = Person.of("partner");
    final UUID eventId = UUID.randomUUID();

    @BeforeEach
    void open() {
        feed = new Feed();
        dlq = new TopicReader(DLQ);
    }

    @AfterEach
    void close() {
        feed.close();
        dlq.close();
    }

    @Test
    void aRecordThatFailsHalfwayIsDeadLetteredWithItsCauseLeavesNoRowAndTheNextOneIsApplied() {
        // A record its schema accepts (revision is optional) that fails while it is applied: its ce_id
        // is already inserted in changefeed_processed when the rejected revision's title is not there.
        String badData = Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x");
        ChangeRecord poison = feed.eventRecord("event.revision-rejected", eventId, Audience.user(pat.sub()), 2, badData);
        ChangeRecord next = feed.eventRecord("event.rejected", eventId, Audience.user(pat.sub()), 3,
                Feed.event(eventId, pat.sub(), "REJECTED", 3, "Blue Room", START, "x"));

        feed.send(poison, next);

        var dead = dlq.await(r -> poison.id().equals(header(r, ChangeRecord.H_ID)), 1, WITHIN).get(0);
        assertThat(dead.key()).isEqualTo(eventId.toString());
        assertThat(TopicReader.value(dead)).isEqualTo(badData);
        assertThat(header(dead, ChangeRecord.H_TYPE)).as("the record's own headers travel with it")
                .isEqualTo("event.revision-rejected");
        assertThat(header(dead, "dead-letter-exception-class-name")).isEqualTo(PoisonRecordException.class.getName());
        assertThat(header(dead, "dead-letter-reason"))
                .isEqualTo("event.revision-rejected record " + poison.id() + " cannot be applied");
        assertThat(header(dead, "dead-letter-cause-class-name")).isEqualTo(InvalidChangeRecordException.class.getName());
        assertThat(header(dead, "dead-letter-cause")).contains("data has no title");
        assertThat(header(dead, "dead-letter-topic")).isEqualTo(Topics.EVENTS);
        assertThat(header(dead, "dead-letter-partition")).isNotBlank();
        assertThat(header(dead, "dead-letter-offset")).isNotBlank();

        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat)).containsExactly("EVENT_REJECTED"));
        assertThat(count("select count(*) from changefeed_processed where ce_id = ?1", poison.id()))
                .as("the poison record's ce_id, rolled back with the rest: a fixed copy would still be applied")
                .isZero();
        assertThat(count("select count(*) from notification where source_id = ?1", poison.id())).isZero();
        assertThat(count("select count(*) from changefeed_processed where ce_id = ?1", next.id())).isEqualTo(1);
    }

    @Test
    void dataItsSchemaRejectsIsDeadLetteredWithTheViolationsWritesNothingAndTheNextOneIsApplied() {
        // Both carry every field this service reads (title, venue, times), so without the schema they would be applied.
        String wrongType = Feed.event(eventId, pat.sub(), "PENDING_APPROVAL", 2, "Blue Room", START, "x")
                .replace("\"capacity\":50", "\"capacity\":\"many\"");
        String noCreatedAt = Feed.event(eventId, pat.sub(), "PENDING_APPROVAL", 3, "Blue Room", START, "x")
                .replaceFirst(",\"createdAt\":\"[^\"]+\"", "");
        ChangeRecord many = feed.eventRecord("event.submitted", eventId, Audience.role("admin"), 2, wrongType);
        ChangeRecord missing = feed.eventRecord("event.submitted", eventId, Audience.role("admin"), 3, noCreatedAt);
        ChangeRecord next = feed.eventRecord("event.rejected", eventId, Audience.user(pat.sub()), 4,
                Feed.event(eventId, pat.sub(), "REJECTED", 4, "Blue Room", START, "x"));

        feed.send(many, missing, next);

        var deadMany = dlq.await(r -> many.id().equals(header(r, ChangeRecord.H_ID)), 1, WITHIN).get(0);
        assertThat(TopicReader.value(deadMany)).isEqualTo(wrongType);
        assertThat(header(deadMany, "dead-letter-exception-class-name")).isEqualTo(PoisonRecordException.class.getName());
        assertThat(header(deadMany, "dead-letter-reason"))
                .startsWith("event.submitted record " + many.id() + " breaks /schemas/event.json: ")
                .contains("capacity").contains("integer");
        assertThat(header(deadMany, "dead-letter-topic")).isEqualTo(Topics.EVENTS);
        var deadMissing = dlq.await(r -> missing.id().equals(header(r, ChangeRecord.H_ID)), 1, WITHIN).get(0);
        assertThat(header(deadMissing, "dead-letter-reason"))
                .startsWith("event.submitted record " + missing.id() + " breaks /schemas/event.json: ")
                .contains("createdAt");

        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat)).containsExactly("EVENT_REJECTED"));
        for (ChangeRecord bad : new ChangeRecord[] { many, missing }) {
            assertThat(count("select count(*) from changefeed_processed where ce_id = ?1", bad.id())).isZero();
            assertThat(count("select count(*) from notification where source_id = ?1", bad.id())).isZero();
        }
        assertThat(count("select count(*) from changefeed_processed where ce_id = ?1", next.id())).isEqualTo(1);
    }

    @Test
    void aBurstOfPoisonRecordsIsDeadLetteredWithoutHoldingUpTheRecordAfterIt() {
        // What the fault suite does to this consumer: hundreds of records no schema accepts (data that
        // is not an aggregate's state), on one partition, then a good one behind them.
        int burst = 300;
        List<ChangeRecord> poison = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            poison.add(feed.eventRecord("event.approved", eventId, Audience.PUBLIC, i + 1, "{\"n\":" + i + "}"));
        }
        ChangeRecord next = feed.eventRecord("event.rejected", eventId, Audience.user(pat.sub()), burst + 1,
                Feed.event(eventId, pat.sub(), "REJECTED", burst + 1, "Blue Room", START, "x"));
        Set<String> ids = poison.stream().map(ChangeRecord::id).collect(Collectors.toSet());

        long start = System.nanoTime();
        feed.sendAll(poison);
        feed.send(next);

        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat)).containsExactly("EVENT_REJECTED"));
        Log.infof("%d poison records dead-lettered and the next one applied in %d ms", burst,
                (System.nanoTime() - start) / 1_000_000);
        assertThat(dlq.await(r -> ids.contains(header(r, ChangeRecord.H_ID)), burst, WITHIN)).hasSize(burst);
        assertThat(count("select count(*) from notification where source_id = ?1", poison.get(0).id())).isZero();
    }

    @Test
    void aFieldAndAnEnumValueAddedLaterAreAcceptedAndApplied() {
        // The published schema is open: a newer events-service may add both without breaking this consumer.
        String newer = Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x")
                .replace("\"status\":\"APPROVED\"", "\"status\":\"FEATURED\",\"room\":\"A\"");
        ChangeRecord approved = feed.eventRecord("event.approved", eventId, Audience.PUBLIC, 2, newer);

        feed.send(approved);

        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat)).containsExactly("EVENT_APPROVED"));
        assertThat(count("select count(*) from notification where source_id = ?1", approved.id())).isEqualTo(1);
        assertThat(dlq.readToEnd(r -> approved.id().equals(header(r, ChangeRecord.H_ID)))).isEmpty();
    }

    @Test
    void aDuplicateCeIdMakesOneNotification() {
        ChangeRecord approved = feed.eventRecord("event.approved", eventId, Audience.PUBLIC, 2,
                Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x"));
        ChangeRecord marker = feed.eventRecord("event.rejected", eventId, Audience.user(pat.sub()), 3,
                Feed.event(eventId, pat.sub(), "REJECTED", 3, "Blue Room", START, "x"));

        double duplicates = duplicates();

        feed.send(approved, approved, approved, marker); // one key: one partition, read in this order

        await().atMost(WITHIN).untilAsserted(() -> assertThat(types(pat)).contains("EVENT_REJECTED"));
        assertThat(duplicates()).as("the copies recognised by their ce_id (not only by the table's unique key)")
                .isEqualTo(duplicates + 2);
        assertThat(types(pat)).containsExactlyInAnyOrder("EVENT_APPROVED", "EVENT_REJECTED");
        assertThat(count("select count(*) from notification where source_id = ?1", approved.id())).isEqualTo(1);
        assertThat(dlq.readToEnd(r -> approved.id().equals(header(r, ChangeRecord.H_ID)))).isEmpty();
    }

    @Test
    void aGoodRecordWhileTheDatabaseIsAwayIsRetriedUntilItIsBackAndNeverDeadLettered() {
        ChangeRecord approved = feed.eventRecord("event.approved", eventId, Audience.PUBLIC, 2,
                Feed.event(eventId, pat.sub(), "APPROVED", 2, "Blue Room", START, "x"));
        LocalStack stack = LocalStack.shared();
        double retries = retries();
        stack.stopPostgres();
        try {
            feed.send(approved);
            // the consumer tried, failed on the database and is retrying (not dead-lettering)
            await().atMost(Duration.ofSeconds(60)).until(() -> retries() >= retries + 2);
        } finally {
            stack.startPostgres();
        }

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(types(pat)).containsExactly("EVENT_APPROVED"));
        assertThat(count("select count(*) from notification where source_id = ?1", approved.id())).isEqualTo(1);
        assertThat(dlq.readToEnd(r -> approved.id().equals(header(r, ChangeRecord.H_ID)))).isEmpty();
    }

    /** SmallRye Fault Tolerance's count of retries (of ChangeFeedConsumer.consume, the one @Retry). */
    private double retries() {
        return metrics.find("ft.retry.retries.total").counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private double duplicates() {
        var c = metrics.find("eventline.notifications.records").tag("outcome", "duplicate").counter();
        return c == null ? 0 : c.count();
    }

    private long count(String sql, String param) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(sql)
                .setParameter(1, param).getSingleResult()).longValue());
    }
}
