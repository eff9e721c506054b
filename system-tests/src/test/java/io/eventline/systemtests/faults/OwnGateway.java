package io.eventline.systemtests.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.eventline.systemtests.Cluster;
import io.eventline.systemtests.Modules;
import io.eventline.launcher.Command;
import io.eventline.launcher.LaunchException;
import io.eventline.launcher.ServiceProcess;
import io.eventline.launcher.Ports;

/**
 * A packaged gateway instance of one fault test's own, started from {@link Cluster#gatewayEnv}
 * (same services, Kafka and stream secret as gateways A and B) plus the test's overrides, so a test
 * can kill it or read clean metrics without disturbing A and B. Its log is
 * {@code target/it-logs/faults-<name>/gateway.log}.
 */
final class OwnGateway implements AutoCloseable {

    final String name;
    final ServiceProcess process;
    private final Path logDir;

    private OwnGateway(String name, ServiceProcess process, Path logDir) {
        this.name = name;
        this.process = process;
        this.logDir = logDir;
    }

    /** Closes each of these that was started (an @AfterAll after a failed start passes nulls). */
    static void closeAll(OwnGateway... gateways) {
        for (OwnGateway gateway : gateways) {
            if (gateway != null) {
                gateway.close();
            }
        }
    }

    /** Starts the instances (in parallel) and waits until each is ready. */
    static List<OwnGateway> start(Map<String, String> overrides, String... names) {
        Map<String, String> env = new LinkedHashMap<>(Cluster.get().gatewayEnv);
        env.putAll(overrides);
        List<OwnGateway> started = new java.util.ArrayList<>();
        for (String name : names) {
            Path logs = Path.of("target", "it-logs", "faults-" + name);
            started.add(new OwnGateway(name, Modules.start("gateway", Ports.free(), env, logs), logs));
        }
        try {
            CompletableFuture.allOf(started.stream()
                    .map(g -> CompletableFuture.runAsync(() -> g.process.awaitReady(Duration.ofSeconds(120))))
                    .toArray(CompletableFuture[]::new)).join();
        } catch (RuntimeException e) {
            started.forEach(OwnGateway::close);
            throw e;
        }
        return started;
    }

    String url() {
        return process.url();
    }

    int port() {
        return process.port();
    }

    Path log() {
        return logDir.resolve("gateway.log");
    }

    /** {@code kill -9}. */
    void kill() {
        process.kill();
    }

    /**
     * Fails if Vert.x's blocked-thread checker reported a thread (event loop or worker) held past
     * its limit in this instance's log.
     */
    void assertNoThreadWasBlocked() {
        try {
            List<String> blocked = Files.readAllLines(log()).stream().filter(l -> l.contains("has been blocked for"))
                    .toList();
            if (!blocked.isEmpty()) {
                throw new AssertionError("gateway " + name + " blocked a thread: " + blocked);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + log(), e);
        }
    }

    /**
     * Asks the instance for a full garbage collection ({@code jcmd <pid> GC.run}, with the JDK
     * running the tests, which also runs the gateway). False when that was not possible.
     */
    boolean gc() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return false;
        }
        try {
            return Command.of(jcmd.toString(), Long.toString(process.pid()), "GC.run").run(Duration.ofSeconds(30)).ok();
        } catch (LaunchException e) {
            return false;
        }
    }

    @Override
    public void close() {
        process.stop();
    }
}
