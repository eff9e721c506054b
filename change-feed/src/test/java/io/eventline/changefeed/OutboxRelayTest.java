package io.eventline.changefeed;

import static io.eventline.testsupport.TopicReader.header;
import static io.eventline.testsupport.TopicReader.subject;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventline.changefeed.outbox.CompetingRelay;
import io.eventline.changefeed.testapp.WidgetService;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.Topics;
import io.eventline.localstack.LocalStack;
import io.eventline.testsupport.LocalStackTestResource;
import io.eventline.testsupport.TopicReader;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** The outbox pipeline on a real PostgreSQL and a real Kafka broker: write, relay, topic. */
@QuarkusTest
@WithTestResource(LocalStackTestResource.class)
class OutboxRelayTest {

    private static final Duration ARRIVAL = Duration.ofSeconds(20);

    @Inject
    WidgetService widgets;

    @Inject
    CompetingRelay competitor;

    TopicReader reader;

    @BeforeEach
    void openReader() {
        reader = new TopicReader(Topics.EVENTS);
    }

    @AfterEach
    void closeReader() {
        reader.close();
    }

    @Test
    void aCommittedWriteProducesExactlyOneRecordWithCloudEventsHeaders() {
        UUID id = UUID.randomUUID();

        UUID ceId = widgets.save(id, "first", false);

        reader.await(subject(id), 1, ARRIVAL);
        List<ConsumerRecord<String, byte[]>> records = reader.readToEnd(subject(id));
        assertThat(records).hasSize(1);
        ConsumerRecord<String, byte[]> r = records.get(0);
        assertThat(r.key()).isEqualTo(id.toString());
        assertThat(header(r, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(r, "ce_id")).isEqualTo(ceId.toString());
        assertThat(header(r, "ce_source")).isEqualTo("change-feed-test");
        assertThat(header(r, "ce_type")).isEqualTo("widget.created");
        assertThat(header(r, "ce_subject")).isEqualTo(id.toString());
        assertThat(Instant.parse(header(r, "ce_time"))).isBefore(Instant.now().plusSeconds(1));
        assertThat(header(r, "content-type")).isEqualTo("application/json");
        assertThat(header(r, "ce_audience")).isEqualTo("role:admin,user:alice");
        assertThat(header(r, "ce_aggregateversion")).isEqualTo("1");
        assertThat(r.headers().lastHeader("ce_dataschema")).as("widget.created is no Eventline type").isNull();
        assertThat(new String(r.value(), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"" + id + "\",\"name\":\"first\",\"version\":1}");
    }

    @Test
    void aRolledBackWriteProducesNoRecord() {
        UUID id = UUID.randomUUID();

        assertThatThrownBy(() -> widgets.save(id, "ghost", true)).hasMessageContaining("on purpose");
        widgets.save(id, "real", false);

        // Same key, same partition, commit order: a published ghost would arrive before "real".
        reader.await(subject(id), 1, ARRIVAL);
        List<ConsumerRecord<String, byte[]>> records = reader.readToEnd(subject(id));
        assertThat(records).hasSize(1);
        assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8)).contains("\"name\":\"real\"");
        assertThat(header(records.get(0), "ce_aggregateversion")).isEqualTo("1");
    }

    @Test
    void writesCommitWhileTheBrokerIsDownAndArriveInOrderOnceItIsBack() {
        UUID id = UUID.randomUUID();
        widgets.save(id, "v1", false);
        reader.await(subject(id), 1, ARRIVAL);

        LocalStack.shared().killKafka();
        try {
            for (int v = 2; v <= 11; v++) {
                widgets.save(id, "v" + v, false); // commits: the broker is not in the write path
            }
            assertThat(widgets.outboxRows()).isGreaterThanOrEqualTo(10);
        } finally {
            LocalStack.shared().restartKafka();
        }

        reader.await(subject(id), 11, Duration.ofSeconds(60));
        await().atMost(ARRIVAL).until(() -> widgets.outboxRows() == 0);
        List<String> versions = reader.readToEnd(subject(id)).stream()
                .map(r -> header(r, "ce_aggregateversion")).toList();
        assertThat(versions).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11");
    }

    @Test
    void twoRelaysCompetingForTheOutboxNeverPublishARowTwice() throws Exception {
        // The application's relay and CompetingRelay, each with its own producer and transactions, both woken by every write.
        List<UUID> ids = IntStream.range(0, 20).mapToObj(i -> UUID.randomUUID()).toList();
        Set<String> subjects = ids.stream().map(UUID::toString).collect(Collectors.toSet());
        ids.forEach(id -> widgets.save(id, "n", false)); // created first: creation itself does not lock
        List<Callable<UUID>> writes = new ArrayList<>();
        for (int round = 1; round < 10; round++) {
            for (UUID id : ids) {
                writes.add(() -> {
                    UUID ceId = widgets.save(id, "n", false);
                    competitor.wake();
                    return ceId;
                });
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (Future<UUID> f : pool.invokeAll(writes)) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }

        await().atMost(ARRIVAL).until(() -> widgets.outboxRows() == 0);
        List<ConsumerRecord<String, byte[]>> records = reader
                .readToEnd(r -> subjects.contains(header(r, ChangeRecord.H_SUBJECT)));
        assertThat(records).hasSize(200);
        assertThat(records.stream().map(r -> header(r, "ce_id")).distinct()).hasSize(200);
        for (UUID id : ids) {
            assertThat(records.stream().filter(subject(id)).map(r -> header(r, "ce_aggregateversion")))
                    .containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        }
    }

    @Test
    void aConsumerThatSeesARecordTwiceActsOnce() throws Exception {
        UUID id = UUID.randomUUID();
        widgets.save(id, "once", false);
        ChangeRecord record = ChangeRecord.fromConsumerRecord(reader.await(subject(id), 1, ARRIVAL).get(0));

        assertThat(widgets.consume(record)).isTrue();
        assertThat(widgets.consume(record)).isFalse();
        assertThat(widgets.effects(record.id())).isEqualTo(1);
    }

    @Test
    void concurrentDeliveriesOfOneRecordActOnce() throws Exception {
        UUID id = UUID.randomUUID();
        widgets.save(id, "race", false);
        ChangeRecord record = ChangeRecord.fromConsumerRecord(reader.await(subject(id), 1, ARRIVAL).get(0));

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = pool.invokeAll(
                    IntStream.range(0, 4).mapToObj(i -> (Callable<Boolean>) () -> widgets.consume(record)).toList());
            long acted = 0;
            for (Future<Boolean> f : results) {
                acted += f.get() ? 1 : 0;
            }
            assertThat(acted).isEqualTo(1);
        } finally {
            pool.shutdown();
        }
        assertThat(widgets.effects(record.id())).isEqualTo(1);
    }
}
