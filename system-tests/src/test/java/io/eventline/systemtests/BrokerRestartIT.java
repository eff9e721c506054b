package io.eventline.systemtests;

import static io.eventline.systemtests.StreamIT.open;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.eventline.systemtests.SseClient.Event;

/**
 * The broker dies while users write: the writes still succeed, and once Kafka is back every change
 * reaches every open stream of its audience, once each and in order per aggregate, including a
 * stream that was itself cut during the outage and resumed on the other instance.
 */
class BrokerRestartIT extends AgainstCluster {

    @Test
    void changesMadeWhileKafkaIsDownReachEveryStreamOnceItIsBack() {
        Cluster cluster = Cluster.get();
        Rest partner = new Rest(a, "partner");
        List<String> created = new ArrayList<>();
        String resumedFrom;
        try (SseClient onA = open(a, partner); SseClient onB = open(b, partner)) {
            SseClient away = open(a, partner);
            resumedFrom = away.lastId();
            away.close(); // a tab that goes away during the outage and comes back afterwards

            cluster.stack.killKafka();
            try {
                for (int i = 0; i < 20; i++) { // writes go on: each change waits in its outbox
                    String id = partner.createEvent("during the outage " + i).getString("id");
                    partner.transition(id, "submit");
                    created.add(id);
                }
            } finally {
                cluster.stack.restartKafka();
            }

            for (SseClient stream : List.of(onA, onB)) {
                assertExactlyOnceInOrder(stream, partner, created);
            }
        }
        try (SseClient resumed = SseClient.open(b + "/api/stream", partner.token, resumedFrom)) {
            Event ready = resumed.next(Duration.ofSeconds(10));
            assertThat(ready.json().getBoolean("resumed")).isTrue();
            assertExactlyOnceInOrder(resumed, partner, created);
        }
    }

    /** 40 records (created, then submitted, per event) for the partner's events, none twice. */
    private static void assertExactlyOnceInOrder(SseClient stream, Rest partner, List<String> events) {
        Map<String, List<String>> perEvent = new LinkedHashMap<>();
        List<String> ids = new ArrayList<>();
        int wanted = events.size() * 2;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ids.size() < wanted) {
            Event e = stream.nextRecord(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertThat(e).as("the stream ended after " + ids.size() + " records").isNotNull();
            String subject = e.json().getString("subject");
            if (events.contains(subject) && e.json().getString("audience").contains("user:" + partner.sub)) {
                ids.add(e.recordId());
                perEvent.computeIfAbsent(subject, k -> new ArrayList<>()).add(e.event());
            }
        }
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(perEvent).hasSize(events.size());
        assertThat(perEvent.values()).allSatisfy(types -> assertThat(types).containsExactly("event.created", "event.submitted"));
    }
}
