package io.eventline.systemtests;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import io.eventline.localstack.LocalStack;
import io.eventline.launcher.ServiceProcess;
import io.eventline.launcher.Ports;

/**
 * The whole system for the gateway's integration tests, started once per test JVM: PostgreSQL and
 * Kafka from local-stack, the three packaged services, and two packaged gateway instances sharing
 * one stream secret.
 *
 * <p>Gateway B keeps only 4 records per partition in memory, so that resuming on it reads from
 * Kafka; both bound a replay at {@value #MAX_REPLAY} records so the reset path is reachable, and
 * use a small send buffer so a client that never reads is cut quickly.
 */
public final class Cluster {

    public static final int MAX_REPLAY = 400;
    public static final int SEND_BUFFER = 65_536;
    /** Gateway B's HTTP idle timeout: a connection with nothing read and no write completed for this long is closed. */
    public static final Duration B_IDLE_TIMEOUT = Duration.ofSeconds(15);

    private static Cluster instance;

    public final LocalStack stack;
    public final ServiceProcess events;
    public final ServiceProcess messaging;
    public final ServiceProcess notifications;
    public final ServiceProcess gatewayA;
    public final ServiceProcess gatewayB;
    /** Gateway A's environment, for tests that start (and kill) a gateway of their own. */
    public final Map<String, String> gatewayEnv;

    /**
     * {@link #gatewayEnv} under the prod profile: its JWT settings, the audience, and the loud opt-in
     * that lets it take the committed development key (as in docker-compose).
     */
    public Map<String, String> prodGatewayEnv() {
        Map<String, String> env = new LinkedHashMap<>(gatewayEnv);
        env.put("QUARKUS_PROFILE", "prod");
        env.put("EVENTLINE_JWT_ISSUER", env.get("MP_JWT_VERIFY_ISSUER"));
        env.put("EVENTLINE_JWT_PUBLIC_KEY_LOCATION", env.get("MP_JWT_VERIFY_PUBLICKEY_LOCATION"));
        env.put("EVENTLINE_JWT_AUDIENCE", "eventline");
        env.put("EVENTLINE_ALLOW_DEV_KEY", "true");
        return env;
    }

    private Cluster() {
        Path logs = Path.of("target", "it-logs");
        stack = LocalStack.shared();
        events = Modules.start("events-service", Ports.free(), stack.serviceEnv("gwit_events"), logs);
        messaging = Modules.start("messaging-service", Ports.free(), stack.serviceEnv("gwit_messaging"), logs);
        notifications = Modules.start("notification-service", Ports.free(),
                stack.serviceEnv("gwit_notifications"), logs);
        Map<String, String> gateway = new LinkedHashMap<>(stack.serviceEnv(null));
        gateway.put("EVENTLINE_EVENTS_URL", events.url());
        gateway.put("EVENTLINE_MESSAGING_URL", messaging.url());
        gateway.put("EVENTLINE_NOTIFICATION_URL", notifications.url());
        gateway.put("EVENTLINE_EVENTS_MANAGEMENT_URL", events.managementUrl());
        gateway.put("EVENTLINE_MESSAGING_MANAGEMENT_URL", messaging.managementUrl());
        gateway.put("EVENTLINE_NOTIFICATION_MANAGEMENT_URL", notifications.managementUrl());
        gateway.put("EVENTLINE_STREAM_SECRET", "integration-tests-shared-stream-secret-0123456789");
        gateway.put("EVENTLINE_STREAM_MAX_REPLAY", Integer.toString(MAX_REPLAY));
        gateway.put("EVENTLINE_STREAM_SEND_BUFFER", Integer.toString(SEND_BUFFER));
        gateway.put("EVENTLINE_STREAM_HEARTBEAT_INTERVAL", "2s");
        gatewayEnv = Map.copyOf(gateway);
        Map<String, String> gatewayOnlyKafkaHistory = new LinkedHashMap<>(gateway);
        gatewayOnlyKafkaHistory.put("EVENTLINE_STREAM_HISTORY_PER_PARTITION", "4");
        // B closes connections idle for 15 s (A keeps the 60 s default): StreamBadInputIT's slow reader.
        gatewayOnlyKafkaHistory.put("QUARKUS_HTTP_IDLE_TIMEOUT", B_IDLE_TIMEOUT.toSeconds() + "s");
        gatewayA = Modules.start("gateway", Ports.free(), gateway, logs.resolve("a"));
        gatewayB = Modules.start("gateway", Ports.free(), gatewayOnlyKafkaHistory, logs.resolve("b"));
        CompletableFuture.allOf(List.of(events, messaging, notifications, gatewayA, gatewayB).stream()
                .map(s -> CompletableFuture.runAsync(() -> s.awaitReady(Duration.ofSeconds(120))))
                .toArray(CompletableFuture[]::new)).join();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
        warmUp();
    }

    /**
     * One round of every path the tests take (create, submit, approve, message, notification), on
     * both instances, so that latency assertions meet a running system rather than a cold JIT.
     */
    private void warmUp() {
        for (ServiceProcess gateway : List.of(gatewayA, gatewayB)) {
            Rest partner = new Rest(gateway.url(), "partner");
            Rest admin = new Rest(gateway.url(), "admin");
            try (SseClient stream = SseClient.open(gateway.url() + "/api/stream", partner.token, null)) {
                String id = partner.createEvent("warm-up").getString("id");
                partner.transition(id, "submit");
                admin.transition(id, "approve");
                partner.send(partner.conversation(admin.sub).getString("id"), "warm-up");
                // Either may come first: the notification takes one more hop (notification-service).
                Set<String> awaited = new HashSet<>(Set.of("notification.created", "message.sent"));
                stream.until(e -> awaited.remove(e.event()) && awaited.isEmpty(), Duration.ofSeconds(60));
            }
        }
    }

    /**
     * Fails if Vert.x's blocked-thread checker reported an event loop held for longer than its
     * limit (2 s) in either gateway's log: the streaming path must never block an event loop.
     */
    public static void assertNoEventLoopWasBlocked() {
        for (String instance : List.of("a", "b")) {
            Path log = Path.of("target", "it-logs", instance, "gateway.log");
            try {
                List<String> blocked = java.nio.file.Files.readAllLines(log).stream()
                        .filter(l -> l.contains("has been blocked for")).toList();
                if (!blocked.isEmpty()) {
                    throw new AssertionError("gateway " + instance + " blocked an event loop: " + blocked);
                }
            } catch (IOException e) {
                throw new AssertionError("cannot read " + log, e);
            }
        }
    }

    public static synchronized Cluster get() {
        if (instance == null) {
            instance = new Cluster();
        }
        return instance;
    }

    private void stop() {
        for (ServiceProcess s : List.of(gatewayA, gatewayB, notifications, messaging, events)) {
            s.stop();
        }
    }

}
