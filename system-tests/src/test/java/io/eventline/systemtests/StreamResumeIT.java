package io.eventline.systemtests;

import static io.eventline.systemtests.StreamIT.open;
import static io.eventline.systemtests.StreamIT.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.systemtests.SseClient.Event;
import io.eventline.testsupport.TopicReader;

/**
 * Resume: exactly the missed records, in order per aggregate, without duplicates, then live; on
 * the same instance (from memory) and on another (from Kafka); and an honest reset when that
 * cannot be done.
 */
class StreamResumeIT extends AgainstCluster {

    @Test
    void resumingOnTheSameInstanceReplaysExactlyTheMissedRecordsFromMemory() {
        resumeOn(a, "memory");
    }

    @Test
    void resumingOnAnotherInstanceWithTheSameSecretGivesTheSameResultFromKafka() {
        resumeOn(b, "kafka"); // gateway B keeps 4 records per partition: the gap is read from Kafka
    }

    private void resumeOn(String second, String source) {
        Rest partner = new Rest(a, "partner");
        String last;
        try (SseClient tab = open(a, partner)) {
            String before = partner.createEvent("before the gap").getString("id");
            tab.until(record("event.created", before), Duration.ofSeconds(1));
            last = tab.lastId();
        }
        double fromSourceBefore = Metrics.value(second, "eventline_stream_records_replayed_total", "source=\"" + source + "\"");
        double replayedBefore = Metrics.value(second, "eventline_stream_records_replayed_total");
        // A second tab of the partner's, on the instance it will resume on, stays open through the gap: once
        // it has all 50 live, that instance has dispatched them, so the resume finds every one of them
        // behind its frontier and replays it (without it, the last few could still reach that instance
        // after the resume registered, and arrive live: correct, but no longer a test of the replay).
        try (TopicReader topic = new TopicReader("eventline.events"); SseClient watcher = open(second, partner)) {
            for (int i = 0; i < 25; i++) { // 50 changes while the tab is away
                String id = partner.createEvent("missed " + i).getString("id");
                partner.transition(id, "submit");
            }
            List<ConsumerRecord<String, byte[]>> missed = topic.await(
                    r -> TopicReader.header(r, "ce_audience").contains("user:" + partner.sub), 50, Duration.ofSeconds(30));
            Set<String> missedIds = missed.stream().map(r -> TopicReader.header(r, "ce_id")).collect(Collectors.toSet());
            Set<String> live = new HashSet<>();
            watcher.until(e -> missedIds.contains(e.recordId()) && live.add(e.recordId()) && live.size() == 50,
                    Duration.ofSeconds(30));

            try (SseClient resumed = SseClient.open(second + "/api/stream", partner.token, last)) {
                assertThat(resumed.status()).as(resumed.errorBody()).isEqualTo(200);
                Event ready = resumed.next(Duration.ofSeconds(5));
                assertThat(ready.event()).isEqualTo("ready");
                assertThat(ready.json().getBoolean("resumed")).isTrue();
                assertThat(ready.json().getString("cursor")).isEqualTo(last);

                List<Event> got = new ArrayList<>();
                while (got.size() < 50) {
                    Event e = resumed.nextRecord(Duration.ofSeconds(10));
                    assertThat(e).as("stream ended after " + got.size()).isNotNull();
                    if (e.json().getString("audience").contains("user:" + partner.sub)) {
                        got.add(e);
                    }
                }
                assertThat(got).extracting(Event::recordId).doesNotHaveDuplicates()
                        .containsExactlyInAnyOrderElementsOf(missed.stream().map(r -> TopicReader.header(r, "ce_id")).toList());
                assertThat(perSubject(got.stream().map(e -> e.json().getString("subject") + " " + e.recordId()).toList()))
                        .isEqualTo(perSubject(missed.stream().map(r -> TopicReader.header(r, "ce_subject") + " "
                                + TopicReader.header(r, "ce_id")).toList()));

                // Then live, and nothing replayed twice: the next record of the partner's is the new one.
                String after = partner.createEvent("after the gap").getString("id");
                List<Event> next = resumed.until(e -> e.json().getString("audience").contains("user:" + partner.sub),
                        Duration.ofSeconds(2));
                assertThat(next.get(next.size() - 1).json().getString("subject")).isEqualTo(after);
            }
        }
        assertThat(Metrics.value(second, "eventline_stream_records_replayed_total")).isGreaterThanOrEqualTo(replayedBefore + 50);
        assertThat(Metrics.value(second, "eventline_stream_records_replayed_total", "source=\"" + source + "\""))
                .as("records replayed from " + source).isGreaterThan(fromSourceBefore);
    }

    /** "subject id" lines grouped by subject, keeping their order: the per-aggregate order. */
    private static Map<String, List<String>> perSubject(List<String> lines) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : lines) {
            String[] parts = line.split(" ");
            out.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1]);
        }
        Map<String, List<String>> sorted = new java.util.TreeMap<>(out);
        return sorted;
    }

    @Test
    void aCursorFromBeforeTheReplayBoundGetsAResetAndThenLive() {
        Rest user = new Rest(a, "user");
        String last;
        try (SseClient tab = open(a, user)) {
            last = tab.lastId();
        }
        try (Publish publish = new Publish(); SseClient watcher = open(a, new Rest(a, "user"))) {
            var published = publish.events(Cluster.MAX_REPLAY + 50, Audience.PUBLIC, 200);
            awaitPast(watcher, published); // gateway A has read them all
        }
        double resetsBefore = Metrics.value(a, "eventline_stream_resets_total", "beyond-replay-bound");
        try (SseClient resumed = SseClient.open(a + "/api/stream", user.token, last)) {
            Event ready = resumed.next(Duration.ofSeconds(5));
            assertThat(ready.event()).isEqualTo("ready");
            assertThat(ready.json().getBoolean("resumed")).isFalse();
            Event reset = resumed.next(Duration.ofSeconds(5));
            assertThat(reset.event()).isEqualTo("reset");
            assertThat(reset.json().getString("reason")).isEqualTo("beyond-replay-bound");
            assertThat(reset.id()).isEqualTo(ready.id());

            Rest partner = new Rest(a, "partner");
            Rest admin = new Rest(a, "admin");
            String id = partner.createEvent("after a reset").getString("id");
            partner.transition(id, "submit");
            admin.transition(id, "approve");
            resumed.until(record("event.approved", id), Duration.ofSeconds(2));
        }
        assertThat(Metrics.value(a, "eventline_stream_resets_total", "beyond-replay-bound")).isEqualTo(resetsBefore + 1);
    }

    @Test
    void aCursorOlderThanKafkasRetentionGetsAReset() throws Exception {
        Rest user = new Rest(b, "user");
        String last;
        try (SseClient tab = open(b, user)) {
            last = tab.lastId();
        }
        try (Publish publish = new Publish(); SseClient watcher = open(b, new Rest(b, "user"));
                org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of(
                        "bootstrap.servers", Cluster.get().stack.kafkaBootstrapServers()))) {
            var published = publish.events(60, Audience.PUBLIC, 200); // about 10 a partition: more than B keeps in memory
            awaitPast(watcher, published);
            // What retention does to old segments: the records before the end are gone from Kafka.
            java.util.Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.RecordsToDelete> upTo =
                    new java.util.HashMap<>();
            for (var m : published) {
                upTo.merge(new org.apache.kafka.common.TopicPartition(m.topic(), m.partition()),
                        org.apache.kafka.clients.admin.RecordsToDelete.beforeOffset(m.offset() + 1),
                        (x, y) -> x.beforeOffset() > y.beforeOffset() ? x : y);
            }
            admin.deleteRecords(upTo).all().get();
        }
        double before = Metrics.value(b, "eventline_stream_resets_total", "beyond-retention");
        try (SseClient resumed = SseClient.open(b + "/api/stream", user.token, last)) {
            Event ready = resumed.next(Duration.ofSeconds(10));
            assertThat(ready.json().getBoolean("resumed")).isFalse();
            Event reset = resumed.next(Duration.ofSeconds(5));
            assertThat(reset.event()).isEqualTo("reset");
            assertThat(reset.json().getString("reason")).isEqualTo("beyond-retention");
        }
        assertThat(Metrics.value(b, "eventline_stream_resets_total", "beyond-retention")).isEqualTo(before + 1);
    }

    /** Reads a stream until its cursor is past every one of the published records. */
    private static void awaitPast(SseClient stream, List<org.apache.kafka.clients.producer.RecordMetadata> published) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            SseClient.Event e = stream.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertThat(e).as("the stream ended before its cursor passed the published records").isNotNull();
            if (e.id() != null && published.stream()
                    .allMatch(m -> Cursors.past(e.id(), m.topic(), m.partition(), m.offset()))) {
                return;
            }
        }
    }

    @Test
    void aTamperedOrGarbledCursorGetsAResetNeverAnError() {
        Rest user = new Rest(a, "user");
        String valid;
        try (SseClient tab = open(a, user)) {
            valid = tab.lastId();
        }
        int middle = valid.length() / 2;
        String tampered = valid.substring(0, middle) + (valid.charAt(middle) == 'A' ? 'B' : 'A') + valid.substring(middle + 1);
        for (String cursor : List.of(tampered, "garbage", "%%%", "x".repeat(5_000), valid.substring(0, 10), "AAAA")) {
            try (SseClient resumed = SseClient.open(b + "/api/stream", user.token, cursor)) {
                assertThat(resumed.status()).as(cursor).isEqualTo(200);
                Event ready = resumed.next(Duration.ofSeconds(5));
                assertThat(ready.event()).isEqualTo("ready");
                assertThat(ready.json().getBoolean("resumed")).isFalse();
                Event reset = resumed.next(Duration.ofSeconds(5));
                assertThat(reset.event()).isEqualTo("reset");
                assertThat(reset.json().getString("reason")).isEqualTo("invalid-cursor");
            }
        }
        // ?lastEventId= works like the header, for clients that cannot set it
        try (SseClient resumed = SseClient.open(a + "/api/stream?lastEventId=" + valid, java.util.Map.of(
                "Authorization", "Bearer " + user.token))) {
            Event ready = resumed.next(Duration.ofSeconds(5));
            assertThat(ready.json().getBoolean("resumed")).isTrue();
        }
    }

    @Test
    void anotherUsersCursorGivesOnlyTheCallersOwnRecords() {
        Rest owner = new Rest(a, "partner");
        Rest intruder = new Rest(a, "partner");
        String ownersCursor;
        try (SseClient tab = open(a, owner)) {
            ownersCursor = tab.lastId();
        }
        try (TopicReader topic = new TopicReader("eventline.events")) {
            String id = owner.createEvent("private draft").getString("id");
            ConsumerRecord<String, byte[]> created = topic.await(TopicReader.subject(id), 1, Duration.ofSeconds(10)).get(0);
            try (SseClient stolen = SseClient.open(a + "/api/stream", intruder.token, ownersCursor)) {
                Event ready = stolen.next(Duration.ofSeconds(5));
                assertThat(ready.json().getBoolean("resumed")).isTrue();
                StreamIT.assertNotDelivered(stolen, created);
            }
        }
    }
}
