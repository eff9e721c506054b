package io.eventline.systemtests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.eventline.systemtests.Cluster;
import io.eventline.systemtests.Modules;
import io.eventline.systemtests.Rest;
import io.eventline.launcher.ServiceProcess;
import io.vertx.core.json.JsonObject;

/**
 * Scenario 3, notification-service killed. <b>Load:</b> a burst of messages in one conversation
 * through gateway A (1 000 in the full run, 300 in {@code ./mvnw verify}), each a source record
 * that yields one {@code MESSAGE_RECEIVED} notification for the recipient. <b>Fault:</b> the
 * cluster's notification-service is killed ({@code kill -9}) a third of the way into the burst, and
 * started again (same port, same database, same consumer group) when the burst is over.
 * <b>Checks:</b> every expected notification exists exactly once: one per message, none missing,
 * none twice, and the recipient's unread count through the gateway says the same.
 */
class NotificationServiceKilledFaultIT {

    @Test
    void everyNotificationExistsExactlyOnceAfterAKillDuringABurst() throws Exception {
        Cluster cluster = Cluster.get();
        int messages = FaultReport.scaled(300, 1_000);
        Rest sender = new Rest(cluster.gatewayA.url(), "user");
        Rest recipient = new Rest(cluster.gatewayA.url(), "partner");
        String conversation = sender.conversation(recipient.sub).getString("id");
        ServiceProcess original = cluster.notifications;
        int port = original.port();

        AtomicInteger sent = new AtomicInteger();
        AtomicInteger serverErrors = new AtomicInteger();
        Semaphore inFlight = new Semaphore(8);
        Instant restarted;
        ServiceProcess again;
        try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < messages; i++) {
                if (i == messages / 3) {
                    original.kill();
                }
                inFlight.acquire();
                String body = "burst " + i;
                calls.submit(() -> {
                    try {
                        Rest.Reply r = sender.call("POST", "/api/conversations/" + conversation + "/messages",
                                new JsonObject().put("body", body));
                        if (r.status() == 201) {
                            sent.incrementAndGet();
                        } else if (r.status() >= 500) {
                            serverErrors.incrementAndGet();
                        }
                    } finally {
                        inFlight.release();
                    }
                });
            }
            calls.shutdown();
            assertThat(calls.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(sent.get()).as("messages sent (messaging-service is not the one killed)").isEqualTo(messages);

        // On both of its ports again: the gateways and the later tests reach it through Cluster's URLs.
        Map<String, String> env = new HashMap<>(cluster.stack.serviceEnv("gwit_notifications"));
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(original.managementPort()));
        again = Modules.start("notification-service", port, env,
                Path.of("target", "it-logs", "notification-service-restarted"));
        Runtime.getRuntime().addShutdownHook(new Thread(again::stop));
        restarted = Instant.now();
        again.awaitReady(Duration.ofSeconds(90));

        // The restarted consumer has caught up (the checks below say which notifications, if any, are missing).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> countFor(cluster, recipient.sub, conversation) >= messages);
        Duration recover = Duration.between(restarted, Instant.now());
        Map<String, Integer> perBody = bodies(cluster, recipient.sub, conversation);
        long missing = 0;
        for (int i = 0; i < messages; i++) {
            if (!perBody.containsKey("burst " + i)) {
                missing++;
            }
        }
        long duplicated = perBody.values().stream().mapToLong(n -> n - 1).sum();
        long unread = recipient.expect(200, "GET", "/api/notifications/unread-count", null).getLong("count");

        FaultReport.row("3", "notification-service killed", messages + " messages in a burst through the gateway",
                "kill -9 of notification-service a third of the way in, restart after the burst", missing, duplicated,
                serverErrors.get(), recover, perBody.size() + " MESSAGE_RECEIVED notifications, unread count " + unread);
        assertThat(missing).as("notifications missing").isZero();
        assertThat(duplicated).as("notifications twice").isZero();
        assertThat(unread).as("the recipient's unread count").isEqualTo(messages);
    }

    private static Connection db(Cluster cluster) throws SQLException {
        return DriverManager.getConnection(cluster.stack.jdbcUrl("gwit_notifications"), cluster.stack.dbUsername(),
                cluster.stack.dbPassword());
    }

    private static long countFor(Cluster cluster, String recipient, String conversation) throws SQLException {
        try (Connection c = db(cluster); var s = c.prepareStatement(
                "select count(*) from notification where recipient = ? and subject_id = ? and type = 'MESSAGE_RECEIVED'")) {
            s.setString(1, "user:" + recipient);
            s.setString(2, conversation);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static Map<String, Integer> bodies(Cluster cluster, String recipient, String conversation) throws SQLException {
        Map<String, Integer> out = new HashMap<>();
        try (Connection c = db(cluster); var s = c.prepareStatement(
                "select body from notification where recipient = ? and subject_id = ? and type = 'MESSAGE_RECEIVED'")) {
            s.setString(1, "user:" + recipient);
            s.setString(2, conversation);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.merge(rs.getString(1), 1, Integer::sum);
                }
            }
        }
        return out;
    }
}
