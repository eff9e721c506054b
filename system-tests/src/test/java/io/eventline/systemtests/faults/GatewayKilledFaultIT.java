package io.eventline.systemtests.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.systemtests.Cluster;
import io.eventline.systemtests.Rest;
import io.vertx.core.json.JsonObject;

/**
 * Scenario 2, a gateway killed. <b>Load:</b> two gateway instances of this test's own, C and D
 * (gateway A's configuration, the same stream secret; the replay bound at its production default,
 * 20 000 records, rather than the 400 the cluster's instances use to reach the reset path), and
 * 100 streams ({@code ./mvnw verify}; 500 in the full run) of 50 partners spread evenly over them;
 * change records for those partners ({@code user:<partner>}, on the three topics, three aggregates
 * per partner) produced straight onto Kafka at a steady 100 records/s (200 in the full run) before,
 * during and after the fault. <b>Fault:</b> {@code kill -9} of C. Its clients reconnect to D after
 * the server's {@code retry:} hint, as EventSource does, with the id of the last event they got.
 * <b>Checks:</b> every stream, C's and D's, has every record of its partner exactly once: 0 missed,
 * 0 duplicated (by record id), in order per aggregate (versions increasing), no reset, no 5xx;
 * every C client resumed ({@code ready} with {@code resumed: true}). Time to recover: from the kill
 * until the last of C's clients has resumed and received every record produced before it resumed.
 */
class GatewayKilledFaultIT {

    private static final int PARTNERS = 50;
    private static final String[] TYPES = { "event.updated", "message.sent", "notification.created" };

    private static OwnGateway c;
    private static OwnGateway d;

    /** One record produced: for whom, which aggregate at which version, when it was sent. */
    private record Sent(String id, String sub, String subject, long version, long sentNanos,
            Future<RecordMetadata> ack) {
    }

    @BeforeAll
    static void up() {
        Cluster.get();
        List<OwnGateway> started = OwnGateway.start(Map.of("EVENTLINE_STREAM_MAX_REPLAY", "20000"), "c", "d");
        c = started.get(0);
        d = started.get(1);
    }

    @AfterAll
    static void down() {
        OwnGateway.closeAll(c, d);
    }

    @Test
    void theClientsOfAKilledGatewayResumeOnTheOtherWithNothingMissedOrDuplicated() throws Exception {
        int streams = FaultReport.scaled(100, 500);
        int rate = FaultReport.scaled(100, 200);
        Duration before = Duration.ofSeconds(FaultReport.scaled(3, 10));
        Duration after = Duration.ofSeconds(FaultReport.scaled(3, 10));
        String run = "gateway-killed-" + UUID.randomUUID();

        List<Rest> partners = new ArrayList<>();
        Map<String, String[]> subjects = new HashMap<>();
        for (int i = 0; i < PARTNERS; i++) {
            Rest p = new Rest(d.url(), "partner");
            partners.add(p);
            subjects.put(p.sub, new String[] { UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                    UUID.randomUUID().toString() });
        }

        List<StreamTab> onC = new ArrayList<>();
        List<StreamTab> onD = new ArrayList<>();
        List<StreamTab> all = new ArrayList<>();
        ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread[] producing = { null };
        FaultProducer producer = new FaultProducer();
        try {
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<StreamTab>> opening = new ArrayList<>();
                for (int i = 0; i < streams; i++) {
                    Rest p = partners.get(i % PARTNERS);
                    String on = (i / PARTNERS) % 2 == 0 ? c.url() : d.url();
                    opening.add(pool.submit(() -> StreamTab.open(p, on, d.url(), true)));
                }
                for (Future<StreamTab> f : opening) {
                    StreamTab tab = f.get(60, TimeUnit.SECONDS);
                    all.add(tab);
                    (tab.openedOn.equals(c.url()) ? onC : onD).add(tab);
                }
            }

            // The load: a steady rate from one thread, until told to stop (at most 3 minutes).
            Random random = new Random();
            long producingStart = System.nanoTime();
            producing[0] = Thread.ofPlatform().name("fault-load").start(() -> {
                Map<String, Long> versions = new HashMap<>();
                long i = 0;
                long hardStop = producingStart + Duration.ofMinutes(3).toNanos();
                while (!stop.get() && System.nanoTime() < hardStop) {
                    long due = producingStart + i * 1_000_000_000L / rate;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // pacing the load
                    }
                    Rest p = partners.get(random.nextInt(PARTNERS));
                    int which = random.nextInt(TYPES.length);
                    String subject = subjects.get(p.sub)[which];
                    long version = versions.merge(subject, 1L, Long::sum);
                    String key = which == 2 ? p.sub : subject; // notifications are keyed by recipient
                    String data = new JsonObject().put("run", run).put("seq", i).encode();
                    ChangeRecord r = FaultProducer.record(TYPES[which], key, subject, Audience.user(p.sub), version, data);
                    long at = System.nanoTime();
                    sent.add(new Sent(r.id(), p.sub, subject, version, at, producer.send(r)));
                    i++;
                }
                producer.flush();
            });

            // The load runs against both instances for a while: until that many records were produced.
            long beforeCount = rate * before.toSeconds();
            org.awaitility.Awaitility.await().atMost(before.plusSeconds(30)).until(() -> sent.size() >= beforeCount);
            long killedAt = System.nanoTime();
            c.kill();
            boolean allResumed = FaultReport.within(Duration.ofSeconds(60), () -> onC.stream()
                    .allMatch(t -> t.failure() != null || t.resumedAt().stream().anyMatch(at -> at > killedAt)));
            long afterCount = sent.size() + rate * after.toSeconds(); // and against the survivor for a while
            org.awaitility.Awaitility.await().atMost(after.plusSeconds(30)).until(() -> sent.size() >= afterCount);
            stop.set(true);
            producing[0].join(Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - producingStart) / 1e9;

            // What was produced, per partner.
            Map<String, Set<String>> expected = new HashMap<>();
            Map<String, Sent> byId = new HashMap<>();
            int notProduced = 0;
            for (Sent s : sent) {
                try {
                    s.ack().get(30, TimeUnit.SECONDS);
                    expected.computeIfAbsent(s.sub(), k -> new HashSet<>()).add(s.id());
                    byId.put(s.id(), s);
                } catch (Exception e) {
                    notProduced++;
                }
            }
            boolean complete = FaultReport.within(Duration.ofSeconds(60), () -> all.stream().allMatch(t -> ours(t, run)
                    .containsAll(expected.getOrDefault(t.who.sub, Set.of()))));

            long missed = 0;
            long duplicated = 0;
            long outOfOrder = 0;
            long leaks = 0;
            int serverErrors = 0;
            List<String> problems = new ArrayList<>();
            for (StreamTab tab : all) {
                Set<String> mine = expected.getOrDefault(tab.who.sub, Set.of());
                Set<String> seen = new HashSet<>();
                Map<String, Long> lastVersion = new HashMap<>();
                for (StreamTab.Got g : tab.got()) {
                    if (!Audience.parse(g.audience()).admits(tab.who.sub, tab.who.role)) {
                        leaks++;
                    }
                    if (!run.equals(g.data().getString("run"))) {
                        continue;
                    }
                    if (!seen.add(g.recordId())) {
                        duplicated++;
                        continue;
                    }
                    Long previous = lastVersion.put(g.subject(), g.version());
                    if (previous != null && g.version() <= previous) {
                        outOfOrder++;
                    }
                }
                long notSeen = mine.stream().filter(id -> !seen.contains(id)).count();
                missed += notSeen;
                serverErrors += tab.serverErrors();
                if (notSeen > 0 || !tab.resets().isEmpty() || tab.failure() != null) {
                    problems.add(tab.who.sub + " (from " + (onC.contains(tab) ? "C" : "D") + "): " + notSeen + " of "
                            + mine.size() + " missed, resets " + tab.resets() + ", " + tab.reconnects() + " reconnects"
                            + (tab.failure() == null ? "" : ", " + tab.failure()));
                }
            }

            // Time to recover: each of C's clients resumed, and had everything sent before it resumed.
            long recoveredAt = killedAt;
            int resumed = 0;
            for (StreamTab tab : onC) {
                Long resumedAt = tab.resumedAt().stream().filter(at -> at > killedAt).findFirst().orElse(null);
                if (resumedAt == null) {
                    continue;
                }
                resumed++;
                long caughtUp = resumedAt;
                Set<String> mine = expected.getOrDefault(tab.who.sub, Set.of());
                Map<String, Long> arrival = new HashMap<>();
                for (StreamTab.Got g : tab.got()) {
                    arrival.putIfAbsent(g.recordId(), g.atNanos());
                }
                for (String id : mine) {
                    Long got = arrival.get(id);
                    if (byId.get(id).sentNanos() < resumedAt && got != null) {
                        caughtUp = Math.max(caughtUp, got);
                    }
                }
                recoveredAt = Math.max(recoveredAt, caughtUp);
            }
            Duration recover = Duration.ofNanos(recoveredAt - killedAt);
            long dReconnects = onD.stream().mapToLong(StreamTab::reconnects).sum();
            long resets = all.stream().mapToLong(t -> t.resets().size()).sum();
            int actualRate = (int) Math.round(sent.size() / seconds);
            System.out.printf("gateway killed: %d streams (%d on C), %d records at %d/s; %d of C's clients resumed in %d ms;"
                    + " %d missed, %d duplicated, %d out of order, %d resets; D's clients reconnected %d times%n", all.size(),
                    onC.size(), sent.size(), actualRate, resumed, recover.toMillis(), missed, duplicated, outOfOrder, resets,
                    dReconnects);

            FaultReport.row("2", "Gateway killed", all.size() + " streams over 2 gateways, " + actualRate + " records/s",
                    "kill -9 of one gateway", missed, duplicated, serverErrors, recover,
                    resumed + " clients resumed on the other instance");
            assertThat(missed).as("records missed: %s", problems).isZero();
            assertThat(duplicated).as("records delivered twice").isZero();
            assertThat(outOfOrder).as("records out of order per aggregate").isZero();
            assertThat(leaks).as("records outside the audience").isZero();
            assertThat(resets).as("resets: %s", problems).isZero();
            assertThat(serverErrors).as("5xx on reconnect").isZero();
            assertThat(notProduced).as("records Kafka did not take").isZero();
            assertThat(allResumed).as("every client of C resumed on D within 60 s: %s", problems).isTrue();
            assertThat(resumed).isEqualTo(onC.size());
            assertThat(onC).allSatisfy(t -> assertThat(t.reconnects()).isPositive());
            assertThat(complete).as("every stream had all its records within 60 s of the end of the load").isTrue();
            d.assertNoThreadWasBlocked();
            c.assertNoThreadWasBlocked();
        } finally {
            stop.set(true);
            if (producing[0] != null) {
                producing[0].join(Duration.ofSeconds(30));
            }
            producer.close();
            all.forEach(StreamTab::close);
        }
    }

    /** The ids of this run's records the tab got. */
    private static Set<String> ours(StreamTab tab, String run) {
        Set<String> ids = new HashSet<>();
        for (StreamTab.Got g : tab.got()) {
            if (run.equals(g.data().getString("run"))) {
                ids.add(g.recordId());
            }
        }
        return ids;
    }
}
