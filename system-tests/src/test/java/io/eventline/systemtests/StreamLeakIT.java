package io.eventline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.systemtests.SseClient.Event;
import io.eventline.testsupport.TopicReader;

/**
 * The leak test: five users (two partners, an admin, two users) with two streams each, one per
 * gateway instance, and 30 s of random activity through the API. Kafka is the truth: every record
 * a stream got is in its audience, and every record in its audience since it opened reached it,
 * once.
 */
class StreamLeakIT extends AgainstCluster {

    private static final Duration ACTIVITY = Duration.ofSeconds(30);
    private static final int MAX_ACTIONS = 600;

    private record Tab(Rest who, SseClient stream, long[] openedAt) {
    }

    @Test
    void everyStreamGetsExactlyItsAudience() {
        Rest p1 = new Rest(a, "partner");
        Rest p2 = new Rest(b, "partner");
        Rest admin = new Rest(a, "admin");
        Rest u1 = new Rest(b, "user");
        Rest u2 = new Rest(a, "user");
        List<Rest> people = List.of(p1, p2, admin, u1, u2);

        List<TopicReader> readers = Cursors.TOPICS.stream().map(TopicReader::new).toList();
        List<Tab> tabs = new ArrayList<>();
        try {
            for (Rest who : people) {
                for (String gateway : List.of(a, b)) {
                    SseClient s = SseClient.open(gateway + "/api/stream", who.token, null);
                    assertThat(s.status()).isEqualTo(200);
                    Event ready = s.next(Duration.ofSeconds(5));
                    tabs.add(new Tab(who, s, Cursors.offsets(ready.id())));
                }
            }

            int actions = activity(new Random(42), p1, p2, admin, u1, u2);

            List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
            readers.forEach(r -> all.addAll(r.readToEnd(x -> true)));
            long[] end = new long[Cursors.TOPICS.size() * Cursors.PARTITIONS];
            for (ConsumerRecord<String, byte[]> r : all) {
                int slot = Cursors.TOPICS.indexOf(r.topic()) * Cursors.PARTITIONS + r.partition();
                end[slot] = Math.max(end[slot], r.offset() + 1);
            }

            int checked = 0;
            for (Tab tab : tabs) {
                List<Event> got = readUntil(tab.stream(), end);
                String sub = tab.who().sub;
                String role = tab.who().role;
                for (Event e : got) {
                    assertThat(Audience.parse(e.json().getString("audience")).admits(sub, role))
                            .as("%s delivered to %s (%s)", e.data(), sub, role).isTrue();
                }
                assertThat(got).extracting(Event::recordId).doesNotHaveDuplicates();
                Map<String, Event> byId = new HashMap<>();
                got.forEach(e -> byId.put(e.recordId(), e));
                for (ConsumerRecord<String, byte[]> r : all) {
                    int slot = Cursors.TOPICS.indexOf(r.topic()) * Cursors.PARTITIONS + r.partition();
                    if (r.offset() < tab.openedAt()[slot]) {
                        continue; // before this stream opened
                    }
                    Audience audience = Audience.parse(TopicReader.header(r, "ce_audience"));
                    String id = TopicReader.header(r, "ce_id");
                    if (audience.admits(sub, role)) {
                        assertThat(byId).as("%s %s for %s", TopicReader.header(r, "ce_type"), audience, sub).containsKey(id);
                        assertThat(byId.get(id).json().getString("audience")).isEqualTo(audience.format());
                        checked++;
                    } else {
                        assertThat(byId).doesNotContainKey(id);
                    }
                }
            }
            System.out.printf("leak test: %d actions, %d records, %d (stream, record) deliveries checked%n", actions,
                    all.size(), checked);
            assertThat(actions).isGreaterThan(50);
        } finally {
            tabs.forEach(t -> t.stream().close());
            readers.forEach(TopicReader::close);
        }
    }

    /** Reads a stream until its cursor has reached {@code end} on every partition; returns its records. */
    private static List<Event> readUntil(SseClient stream, long[] end) {
        List<Event> got = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Event e = stream.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            assertThat(e).as("the stream ended").isNotNull();
            if (!e.event().equals("heartbeat") && !e.event().equals("ready")) {
                got.add(e);
            }
            long[] at = Cursors.offsets(e.id());
            boolean done = true;
            for (int i = 0; i < end.length; i++) {
                done &= at[i] >= end[i];
            }
            if (done) {
                return got;
            }
        }
    }

    /** Random API traffic from the five for {@link #ACTIVITY}; returns how many calls it made. */
    private static int activity(Random random, Rest p1, Rest p2, Rest admin, Rest u1, Rest u2) {
        List<String> drafts = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        List<String> approved = new ArrayList<>();
        Map<String, Rest> owner = new HashMap<>();
        Map<String, String> conversations = new HashMap<>();
        List<Rest> people = List.of(p1, p2, admin, u1, u2);
        long deadline = System.nanoTime() + ACTIVITY.toNanos();
        int actions = 0;
        while (System.nanoTime() < deadline && actions < MAX_ACTIONS) {
            actions++;
            switch (random.nextInt(6)) {
                case 0 -> {
                    Rest partner = random.nextBoolean() ? p1 : p2;
                    String id = partner.createEvent("leak " + actions).getString("id");
                    drafts.add(id);
                    owner.put(id, partner);
                }
                case 1 -> {
                    if (!drafts.isEmpty()) {
                        String id = drafts.remove(random.nextInt(drafts.size()));
                        owner.get(id).transition(id, "submit");
                        pending.add(id);
                    }
                }
                case 2 -> {
                    if (!pending.isEmpty()) {
                        String id = pending.remove(random.nextInt(pending.size()));
                        boolean approve = random.nextInt(4) != 0;
                        admin.transition(id, approve ? "approve" : "reject");
                        if (approve) {
                            approved.add(id);
                        } else {
                            drafts.add(id);
                        }
                    }
                }
                case 3 -> {
                    if (!approved.isEmpty()) {
                        (random.nextBoolean() ? u1 : u2).book(approved.get(random.nextInt(approved.size())), 1);
                    }
                }
                default -> {
                    Rest from = people.get(random.nextInt(people.size()));
                    Rest to = people.get(random.nextInt(people.size()));
                    if (from == to) {
                        continue;
                    }
                    String key = from.sub.compareTo(to.sub) < 0 ? from.sub + to.sub : to.sub + from.sub;
                    String conversation = conversations.computeIfAbsent(key, k -> from.conversation(to.sub).getString("id"));
                    from.send(conversation, "hello " + actions);
                }
            }
        }
        return actions;
    }
}
