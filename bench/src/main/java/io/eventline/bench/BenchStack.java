package io.eventline.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.eventline.localstack.LocalStack;
import io.eventline.launcher.ServiceProcess;
import io.eventline.launcher.Ports;

/**
 * What a scenario runs against, started by the scenario itself: PostgreSQL and Kafka
 * (local-stack), the three packaged services and one or more packaged gateways, each a process
 * on a free port. If anything fails to start, everything started so far is stopped and the
 * scenario ends with one clear message; a JVM shutdown hook stops it all on Ctrl-C too.
 */
final class BenchStack implements AutoCloseable {

    static final String GATEWAY_JAVA_OPTS = ServiceProcess.GATEWAY_JAVA_OPTS;
    static final String STREAM_SECRET = "bench-shared-stream-secret-0123456789abcdef";

    final LocalStack stack;
    final ServiceProcess events;
    final ServiceProcess messaging;
    final ServiceProcess notifications;
    final List<ServiceProcess> gateways = new ArrayList<>();
    final Map<String, String> gatewayEnv;
    private final Path root;
    private final Path logs;
    private final List<ServiceProcess> all = new ArrayList<>();
    private volatile boolean closed;

    private BenchStack(Path root, Path logs, int gatewayCount) {
        this.root = root;
        this.logs = logs;
        for (String module : List.of("events-service", "messaging-service", "notification-service", "gateway")) {
            Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
            if (!Files.exists(jar)) {
                throw new BenchException(jar + " is missing: build first (./eventline build, or ./mvnw package -DskipTests)");
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "bench-stack-stop"));
        stack = LocalStack.start();
        try {
            events = start("events-service", stack.serviceEnv("bench_events"));
            messaging = start("messaging-service", stack.serviceEnv("bench_messaging"));
            notifications = start("notification-service", stack.serviceEnv("bench_notifications"));
            Map<String, String> env = new LinkedHashMap<>(stack.serviceEnv(null));
            env.put("EVENTLINE_EVENTS_URL", events.url());
            env.put("EVENTLINE_MESSAGING_URL", messaging.url());
            env.put("EVENTLINE_NOTIFICATION_URL", notifications.url());
            env.put("EVENTLINE_EVENTS_MANAGEMENT_URL", events.managementUrl());
            env.put("EVENTLINE_MESSAGING_MANAGEMENT_URL", messaging.managementUrl());
            env.put("EVENTLINE_NOTIFICATION_MANAGEMENT_URL", notifications.managementUrl());
            env.put("EVENTLINE_STREAM_SECRET", STREAM_SECRET);
            // As in the container image (k8s/base/apps/gateway.yaml: 1 536 MiB limit, MaxRAMPercentage=75),
            // not the small SerialGC heap the tests give every service.
            // -Dbench.gatewayJavaOpts=... replaces them, for trials of other collectors and heaps.
            env.put("JAVA_OPTS", System.getProperty("bench.gatewayJavaOpts", GATEWAY_JAVA_OPTS));
            gatewayEnv = Map.copyOf(env);
            for (int i = 0; i < gatewayCount; i++) {
                gateways.add(start("gateway", gatewayEnv, logs.resolve("gateway-" + i)));
            }
            CompletableFuture.allOf(all.stream().map(s -> CompletableFuture.runAsync(() -> s.awaitReady(Duration.ofSeconds(120))))
                    .toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            close();
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new BenchException("the system under test did not start: " + cause.getMessage(), cause);
        }
    }

    static BenchStack start(String scenario, int gateways) {
        Path root = Path.of(System.getProperty("eventline.root", ".")).toAbsolutePath().normalize();
        Path logs = root.resolve("bench/target/logs").resolve(scenario);
        System.out.println("▸ starting PostgreSQL, Kafka, the three services and " + gateways + " gateway(s) (logs: " + logs + ") …");
        long t0 = System.nanoTime();
        BenchStack s = new BenchStack(root, logs, gateways);
        System.out.printf(java.util.Locale.ROOT, "  up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return s;
    }

    ServiceProcess gateway(int i) {
        return gateways.get(i);
    }

    /** Starts another gateway on the given port (a restart after a kill), and waits until it is ready. */
    ServiceProcess restartGateway(int i, int port) {
        ServiceProcess g = ServiceProcess.start(root, "gateway", port, gatewayEnv, logs.resolve("gateway-" + i + "-restarted"));
        all.add(g);
        gateways.set(i, g);
        return g;
    }

    private ServiceProcess start(String module, Map<String, String> env) {
        return start(module, env, logs);
    }

    private ServiceProcess start(String module, Map<String, String> env, Path logDir) {
        ServiceProcess p = ServiceProcess.start(root, module, Ports.free(), env, logDir);
        all.add(p);
        return p;
    }


    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ServiceProcess p : all.reversed()) {
            try {
                p.stop();
            } catch (RuntimeException ignored) {
                // already gone
            }
        }
        if (stack != null) {
            try {
                stack.close();
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
    }

    /** A scenario that cannot run: one clear message, nothing left running. */
    static final class BenchException extends RuntimeException {
        BenchException(String message) {
            super(message);
        }

        BenchException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
