package io.eventline.systemtests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.eventline.systemtests.Cluster;
import io.eventline.systemtests.Modules;
import io.eventline.systemtests.Rest;
import io.eventline.localstack.LocalStack;
import io.eventline.launcher.ServiceProcess;
import io.eventline.testsupport.TopicReader;
import io.eventline.launcher.Ports;

/**
 * Scenario 4, events-service killed between the commit and the publish. <b>Load:</b> a partner's
 * creates and submits, straight to an events-service instance of this test's own (its own
 * database), whose relay is held ({@code EVENTLINE_OUTBOX_RELAY_ENABLED=false}). <b>Fault:</b> once
 * the changes are committed, and so are their outbox rows, the instance is killed ({@code kill -9})
 * and started again with its relay on. <b>Checks:</b> nothing was published before the restart,
 * every record is published exactly once after it (by {@code ce_id}, and one per change), in commit
 * order per event, and the outbox is empty afterwards.
 */
class RelayCrashFaultIT {

    @Test
    void recordsCommittedBeforeACrashArePublishedExactlyOnceAfterTheRestart() throws Exception {
        Cluster cluster = Cluster.get();
        LocalStack stack = cluster.stack;
        String database = "faults_relay_crash";
        Map<String, String> env = new LinkedHashMap<>(stack.serviceEnv(database));
        env.put("EVENTLINE_OUTBOX_RELAY_ENABLED", "false");
        int port = Ports.free();
        Path logs = Path.of("target", "it-logs", "relay-crash");
        int events = FaultReport.scaled(10, 100);

        try (TopicReader topic = new TopicReader("eventline.events")) {
            ServiceProcess held = Modules.start("events-service", port, env, logs.resolve("held"));
            List<String> ids = new ArrayList<>();
            int serverErrors = 0;
            try {
                held.awaitReady(Duration.ofSeconds(90));
                Rest partner = new Rest(held.url(), "partner");
                for (int i = 0; i < events; i++) {
                    String id = partner.createEvent("relay crash " + i).getString("id");
                    ids.add(id);
                    Rest.Reply submitted = partner.call("POST", "/api/events/" + id + "/submit", null);
                    serverErrors += submitted.status() >= 500 ? 1 : 0;
                    assertThat(submitted.status()).isEqualTo(200);
                }
                assertThat(outboxRows(stack, database)).as("committed, not yet published").isEqualTo(2L * events);
            } finally {
                held.kill();
            }
            Set<String> subjects = Set.copyOf(ids);
            assertThat(topic.readToEnd(r -> subjects.contains(TopicReader.header(r, "ce_subject"))))
                    .as("nothing published while the relay was held").isEmpty();

            env.put("EVENTLINE_OUTBOX_RELAY_ENABLED", "true");
            Instant restart = Instant.now();
            ServiceProcess again = Modules.start("events-service", port, env, logs.resolve("restarted"));
            try {
                again.awaitReady(Duration.ofSeconds(90));
                List<ConsumerRecord<String, byte[]>> published = topic.await(
                        r -> subjects.contains(TopicReader.header(r, "ce_subject")), 2 * events, Duration.ofSeconds(60));
                Duration recover = Duration.between(restart, Instant.now());
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> outboxRows(stack, database) == 0);
                // Anything published twice would be here by now: the outbox is empty, read to the end.
                published = topic.readToEnd(r -> subjects.contains(TopicReader.header(r, "ce_subject")));

                Set<String> ceIds = new HashSet<>();
                int duplicated = 0;
                Map<String, List<String>> perEvent = new LinkedHashMap<>();
                for (ConsumerRecord<String, byte[]> r : published) {
                    if (!ceIds.add(TopicReader.header(r, "ce_id"))) {
                        duplicated++;
                    }
                    perEvent.computeIfAbsent(TopicReader.header(r, "ce_subject"), k -> new ArrayList<>())
                            .add(TopicReader.header(r, "ce_type"));
                }
                long lost = ids.stream().filter(id -> perEvent.getOrDefault(id, List.of()).size() < 2).count();
                FaultReport.row("4", "events-service killed between commit and publish", events
                        + " events created and submitted (" + 2 * events + " records) with the relay held",
                        "kill -9 of events-service, restart with the relay on", lost, duplicated, serverErrors, recover,
                        published.size() + " records published, each once, in commit order per event");
                assertThat(duplicated).as("records published twice").isZero();
                assertThat(published).hasSize(2 * events);
                assertThat(perEvent.values()).allSatisfy(
                        types -> assertThat(types).containsExactly("event.created", "event.submitted"));
            } finally {
                again.stop();
            }
        }
    }

    private static long outboxRows(LocalStack stack, String database) throws SQLException {
        try (Connection c = DriverManager.getConnection(stack.jdbcUrl(database), stack.dbUsername(), stack.dbPassword());
                ResultSet rs = c.createStatement().executeQuery("select count(*) from changefeed_outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
