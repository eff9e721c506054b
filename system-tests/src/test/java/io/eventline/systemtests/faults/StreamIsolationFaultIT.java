package io.eventline.systemtests.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.RecordTypes;
import io.eventline.changerecord.Topics;
import io.eventline.systemtests.AgainstCluster;
import io.eventline.systemtests.Cursors;
import io.eventline.systemtests.Rest;
import io.vertx.core.json.JsonObject;

/**
 * Scenario 8, stream isolation. <b>Load:</b> 20 users (8 users, 8 partners, 4 admins), each with
 * one open stream, alternately on gateways A and B; change records of every type, each on its own
 * topic, produced straight onto Kafka (2 000 in {@code ./mvnw verify}, 10 000 in the full run, at
 * most 2 000 a second), each with a random audience: one streaming user, several (some not
 * streaming), a role, two roles, {@code public}, a user and a role, and users nobody streams as,
 * including near misses of streaming users' ids (a prefix, an extension). <b>Fault:</b> the
 * audiences themselves. <b>Checks:</b> once every stream's cursor has passed the last record
 * produced (proof that nothing of this run is still to come), each stream got exactly the records
 * whose audience admits its user or role: 0 deliveries outside the audience (of this run's records,
 * by {@code ce_id}, and of any other record, by its audience), 0 missing, 0 duplicated, and each
 * with the audience it was produced with.
 */
class StreamIsolationFaultIT extends AgainstCluster {

    private static final List<String> TYPES = List.copyOf(RecordTypes.all());
    private static final List<String> ROLES = List.of("user", "partner", "admin");
    private static final int RATE = 2_000;

    @Test
    void everyStreamGetsExactlyTheRecordsItsAudienceAdmits() throws Exception {
        int records = FaultReport.scaled(2_000, 10_000);
        String run = "isolation-" + UUID.randomUUID();
        long seed = System.nanoTime();
        Random random = new Random(seed);

        List<Rest> people = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            people.add(new Rest(a, i < 8 ? "user" : i < 16 ? "partner" : "admin"));
        }
        List<String> outsiders = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            outsiders.add("outsider-" + UUID.randomUUID());
        }
        // Ids one character off a streaming user's: a router matching prefixes would leak to them.
        outsiders.add(people.get(0).sub + "x");
        outsiders.add(people.get(9).sub.substring(0, people.get(9).sub.length() - 1));
        Map<String, List<String>> subjects = new HashMap<>();
        for (String topic : Topics.ALL) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ids.add(UUID.randomUUID().toString());
            }
            subjects.put(topic, ids);
        }

        List<StreamTab> tabs = new ArrayList<>();
        Map<String, Audience> produced = new HashMap<>();
        try (FaultProducer producer = new FaultProducer()) {
            for (int i = 0; i < people.size(); i++) {
                String gateway = i % 2 == 0 ? a : b;
                tabs.add(StreamTab.open(people.get(i), gateway, gateway, false));
            }

            List<Future<RecordMetadata>> sent = new ArrayList<>();
            Map<String, Long> versions = new HashMap<>();
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                String type = TYPES.get(random.nextInt(TYPES.size()));
                String topic = FaultProducer.topicOf(type);
                Audience audience = randomAudience(random, people, outsiders);
                String subject;
                String key;
                if (topic.equals(Topics.NOTIFICATIONS)) {
                    subject = UUID.randomUUID().toString();
                    key = audience.entries().stream().filter(e -> e.startsWith("user:")).map(e -> e.substring(5))
                            .sorted().findFirst().orElse("broadcast");
                } else {
                    List<String> pool = subjects.get(topic);
                    subject = pool.get(random.nextInt(pool.size()));
                    key = subject;
                }
                long version = versions.merge(subject, 1L, Long::sum);
                String data = new JsonObject().put("run", run).put("seq", i).put("type", type).encode();
                ChangeRecord record = FaultProducer.record(type, key, subject, audience, version, data);
                produced.put(record.id(), audience);
                sent.add(producer.send(record));
                long due = start + i * 1_000_000_000L / RATE;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait); // pacing the load, not waiting for an outcome
                }
            }
            producer.flush();
            long[] end = new long[Cursors.TOPICS.size() * Cursors.PARTITIONS];
            for (Future<RecordMetadata> f : sent) {
                RecordMetadata m = f.get(30, TimeUnit.SECONDS);
                int slot = Cursors.TOPICS.indexOf(m.topic()) * Cursors.PARTITIONS + m.partition();
                end[slot] = Math.max(end[slot], m.offset() + 1);
            }

            // Every stream's cursor past the last record produced: everything of this run has been routed
            // (heartbeats every 2 s move a cursor that gets no record).
            boolean allPast = true;
            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> tabs.stream().allMatch(t -> past(t.lastId(), end)));
            } catch (ConditionTimeoutException e) {
                allPast = false;
            }

            long deliveries = 0;
            long expectedDeliveries = 0;
            long leaks = 0;
            long missing = 0;
            long duplicates = 0;
            long altered = 0;
            List<String> details = new ArrayList<>();
            for (StreamTab tab : tabs) {
                String sub = tab.who.sub;
                String role = tab.who.role;
                Set<String> expected = new HashSet<>();
                produced.forEach((id, audience) -> {
                    if (audience.admits(sub, role)) {
                        expected.add(id);
                    }
                });
                expectedDeliveries += expected.size();
                Set<String> seen = new HashSet<>();
                for (StreamTab.Got g : tab.got()) {
                    boolean ours = run.equals(g.data().getString("run"));
                    if (!ours) {
                        if (!Audience.parse(g.audience()).admits(sub, role)) {
                            leaks++;
                            details.add(g.type() + " " + g.recordId() + " (" + g.audience() + ") to " + sub + " (" + role + ")");
                        }
                        continue;
                    }
                    deliveries++;
                    Audience audience = produced.get(g.recordId());
                    if (audience == null || !expected.contains(g.recordId())) {
                        leaks++;
                        details.add(g.type() + " " + g.recordId() + " (" + g.audience() + ") to " + sub + " (" + role + ")");
                        continue;
                    }
                    if (!audience.format().equals(g.audience())) {
                        altered++;
                        details.add(g.recordId() + " produced for " + audience.format() + ", streamed as " + g.audience());
                    }
                    if (!seen.add(g.recordId())) {
                        duplicates++;
                    }
                }
                long notSeen = expected.stream().filter(id -> !seen.contains(id)).count();
                missing += notSeen;
                if (notSeen > 0 || !tab.resets().isEmpty() || tab.reconnects() > 0) {
                    details.add(sub + " (" + role + ") on " + tab.openedOn + ": " + notSeen + " of " + expected.size()
                            + " missing; " + tab.reconnects() + " reconnects, resets " + tab.resets());
                }
            }
            System.out.printf("stream isolation: %d records (seed %d), %d deliveries of %d expected, %d leaks, %d missing,"
                    + " %d duplicates%n", records, seed, deliveries, expectedDeliveries, leaks, missing, duplicates);

            FaultReport.row("8", "Stream isolation", records + " records of every type, 20 users on 2 gateways",
                    "random audiences", missing, duplicates, 0, null,
                    deliveries + " deliveries checked, " + leaks + " outside the audience");
            assertThat(leaks).as("deliveries outside the audience: %s", details).isZero();
            assertThat(missing).as("records missing: %s", details).isZero();
            assertThat(duplicates).as("records delivered twice").isZero();
            assertThat(altered).as("audiences changed on the way: %s", details).isZero();
            assertThat(allPast).as("every stream's cursor passed the last record within 60 s").isTrue();
            assertThat(deliveries).isEqualTo(expectedDeliveries);
        } finally {
            tabs.forEach(StreamTab::close);
        }
    }

    /** Whether the cursor is at or past {@code end} (the next offset after our last record) on every partition. */
    private static boolean past(String cursor, long[] end) {
        long[] at = Cursors.offsets(cursor);
        for (int i = 0; i < end.length; i++) {
            if (at[i] < end[i]) {
                return false;
            }
        }
        return true;
    }

    private static Audience randomAudience(Random random, List<Rest> people, List<String> outsiders) {
        Set<String> entries = new LinkedHashSet<>();
        switch (random.nextInt(10)) {
            case 0, 1 -> entries.add("user:" + pick(random, people).sub);
            case 2, 3 -> {
                int n = 2 + random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    entries.add("user:" + (random.nextInt(4) == 0 ? pick(random, outsiders) : pick(random, people).sub));
                }
            }
            case 4 -> entries.add("role:" + pick(random, ROLES));
            case 5 -> entries.add("public");
            case 6 -> {
                entries.add("user:" + pick(random, people).sub);
                entries.add("role:" + pick(random, ROLES));
            }
            case 7 -> {
                entries.add("role:" + pick(random, ROLES));
                entries.add("role:" + pick(random, ROLES));
            }
            case 8 -> entries.add("user:" + pick(random, outsiders));
            default -> {
                entries.add("user:" + pick(random, outsiders));
                entries.add("role:" + pick(random, ROLES));
            }
        }
        return new Audience(entries);
    }

    private static <T> T pick(Random random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }
}
