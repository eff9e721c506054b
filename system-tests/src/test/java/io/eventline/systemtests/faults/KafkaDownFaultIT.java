package io.eventline.systemtests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.eventline.systemtests.AgainstCluster;
import io.eventline.systemtests.Cluster;
import io.eventline.systemtests.Rest;
import io.eventline.systemtests.SseClient;
import io.eventline.systemtests.SseClient.Event;
import io.eventline.systemtests.StreamIT;
import io.vertx.core.json.JsonObject;

/**
 * Scenario 1, Kafka down. <b>Load:</b> partners write through gateway A at a steady rate (creates,
 * then submits of what they created; 10 writes/s for 8 s in {@code ./mvnw verify}, 20 writes/s for
 * 30 s in the full run). <b>Fault:</b> the broker process is killed ({@code kill -9}) when the
 * writes start and restarted when they end. <b>Checks:</b> every write succeeds (2xx) while Kafka is
 * down; once it is back, every change reaches every subscribed stream (each partner's stream on A
 * and on B, and an admin's stream for the submitted events): 0 lost, 0 duplicated by record id,
 * and per aggregate in order (created before submitted, versions increasing).
 */
class KafkaDownFaultIT extends AgainstCluster {

    private static final int PARTNERS = 4;

    @Test
    void writesSucceedWhileKafkaIsDownAndEveryChangeReachesEveryStreamOnceItIsBack() throws Exception {
        Cluster cluster = Cluster.get();
        int rate = FaultReport.scaled(10, 20);
        int seconds = FaultReport.scaled(8, 30);
        int writes = rate * seconds;

        List<Rest> partners = new ArrayList<>();
        for (int i = 0; i < PARTNERS; i++) {
            partners.add(new Rest(a, "partner"));
        }
        Rest admin = new Rest(a, "admin");
        Map<SseClient, Rest> streams = new HashMap<>();
        SseClient adminStream = StreamIT.open(b, admin);
        for (Rest p : partners) {
            streams.put(StreamIT.open(a, p), p);
            streams.put(StreamIT.open(b, p), p);
        }

        // Each write is one API call; a partner's submit follows its own create.
        ConcurrentLinkedQueue<String> statuses = new ConcurrentLinkedQueue<>();
        Map<String, List<String>> expectedPerPartner = new java.util.concurrent.ConcurrentHashMap<>();
        Set<String> submitted = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicInteger serverErrors = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<ConcurrentLinkedQueue<String>> toSubmit = new ArrayList<>();
        for (int i = 0; i < PARTNERS; i++) {
            toSubmit.add(new ConcurrentLinkedQueue<>());
        }

        cluster.stack.killKafka();
        Instant restarted;
        try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            long t0 = System.nanoTime();
            for (int n = 0; n < writes; n++) {
                long due = t0 + n * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // pacing the load, not waiting for a result
                }
                int who = n % PARTNERS;
                Rest partner = partners.get(who);
                calls.submit(() -> {
                    String eventId = toSubmit.get(who).poll();
                    Rest.Reply reply;
                    if (eventId == null) {
                        reply = partner.call("POST", "/api/events", newEvent("kafka down " + partner.sub));
                        if (reply.status() == 201) {
                            String id = reply.json().getString("id");
                            expectedPerPartner.computeIfAbsent(partner.sub, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(id);
                            toSubmit.get(who).add(id);
                        }
                    } else {
                        reply = partner.call("POST", "/api/events/" + eventId + "/submit", null);
                        if (reply.status() == 200) {
                            submitted.add(eventId);
                        }
                    }
                    statuses.add(Integer.toString(reply.status()));
                    if (reply.status() >= 500) {
                        serverErrors.incrementAndGet();
                    }
                    if (reply.status() >= 300) {
                        failed.incrementAndGet();
                    }
                });
            }
            calls.shutdown();
            assertThat(calls.awaitTermination(60, TimeUnit.SECONDS)).as("every write answered").isTrue();
        } finally {
            cluster.stack.restartKafka();
            restarted = Instant.now();
        }
        assertThat(statuses).hasSize(writes);
        assertThat(failed.get()).as("writes that did not succeed while Kafka was down: %s", statuses).isZero();

        // Every change, on every stream of its audience, once, in order per aggregate.
        Set<String> lost = new HashSet<>();
        int duplicated = 0;
        int checked = 0;
        for (Map.Entry<SseClient, Rest> s : streams.entrySet()) {
            List<String> events = expectedPerPartner.getOrDefault(s.getValue().sub, List.of());
            Outcome o = collect(s.getKey(), events, submitted, Duration.ofSeconds(90));
            lost.addAll(o.missing);
            duplicated += o.duplicated;
            checked += o.received;
        }
        List<String> allSubmitted = new ArrayList<>(submitted);
        Outcome forAdmin = collectSubmitted(adminStream, allSubmitted, Duration.ofSeconds(90));
        lost.addAll(forAdmin.missing);
        duplicated += forAdmin.duplicated;
        checked += forAdmin.received;
        Duration recover = Duration.between(restarted, Instant.now());
        streams.keySet().forEach(SseClient::close);
        adminStream.close();

        FaultReport.row("1", "Kafka down", rate + " writes/s for " + seconds + " s through the gateway, "
                + streams.size() + " partner streams on 2 gateways + 1 admin stream", "broker killed (kill -9) for the "
                + seconds + " s of writes, then restarted", lost.size(), duplicated, serverErrors.get(), recover,
                writes + " writes 2xx; " + checked + " deliveries, in order per aggregate");
        assertThat(lost).as("changes lost").isEmpty();
        assertThat(duplicated).as("changes delivered twice").isZero();
    }

    private record Outcome(Set<String> missing, int duplicated, int received) {
    }

    /** A partner's stream: for each of its events, created, then submitted when it was. */
    private static Outcome collect(SseClient stream, List<String> events, Set<String> submitted, Duration timeout) {
        Set<String> wanted = new HashSet<>();
        for (String id : events) {
            wanted.add(id + "/event.created");
            if (submitted.contains(id)) {
                wanted.add(id + "/event.submitted");
            }
        }
        return await(stream, wanted, Set.copyOf(events), timeout);
    }

    private static Outcome collectSubmitted(SseClient stream, List<String> events, Duration timeout) {
        Set<String> wanted = new HashSet<>();
        events.forEach(id -> wanted.add(id + "/event.submitted"));
        return await(stream, wanted, Set.copyOf(events), timeout);
    }

    private static Outcome await(SseClient stream, Set<String> wanted, Set<String> subjects, Duration timeout) {
        Set<String> got = new HashSet<>();
        Set<String> recordIds = new HashSet<>();
        Map<String, Long> lastVersion = new HashMap<>();
        int duplicated = 0;
        int received = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!got.containsAll(wanted) && System.nanoTime() < deadline) {
            Event e = stream.nextRecord(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e == null) {
                break;
            }
            JsonObject record = e.json();
            String subject = record.getString("subject");
            if (!subjects.contains(subject)) {
                continue;
            }
            received++;
            if (!recordIds.add(record.getString("id"))) {
                duplicated++;
                continue;
            }
            long version = record.getLong("aggregateversion");
            Long previous = lastVersion.put(subject, version);
            assertThat(previous == null || previous < version).as("versions in order for %s: %s then %s", subject,
                    previous, version).isTrue();
            got.add(subject + "/" + e.event());
        }
        Set<String> missing = new HashSet<>(wanted);
        missing.removeAll(got);
        return new Outcome(missing, duplicated, received);
    }

    private static JsonObject newEvent(String title) {
        Instant start = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        return new JsonObject().put("title", title).put("venue", "Hall").put("startsAt", start.toString())
                .put("endsAt", start.plus(2, ChronoUnit.HOURS).toString()).put("capacity", 50);
    }
}
