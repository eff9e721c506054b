package io.eventline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.eventline.launcher.ServiceProcess;
import io.eventline.testsupport.SystemPackages;
import io.eventline.launcher.Ports;
import io.eventline.launcher.Command;

/**
 * The dashboards in a real browser: {@code web/e2e/*.test.mjs} (node's test runner, playwright-core,
 * Debian's Chromium headless) against a packaged gateway of this test's own (C), with the services
 * and the second gateway of {@link Cluster}.
 *
 * <p>Gateway C is this test's so that the browser tests can kill it: a small control server here
 * answers {@code POST /gateway/kill} ({@code kill -9}) and {@code POST /gateway/start} (same port,
 * answers once ready). Screenshots land in {@code web/test-results/}. Needs Chromium ({@code apt-get
 * install chromium}, or {@code CHROMIUM=/path}); {@code -Dbrowser.skip} skips this test.
 */
class BrowserIT {

    private static final Path WEB = Modules.ROOT.resolve("web");
    private static final Path LOGS = Path.of("target", "it-logs", "browser");

    private static ServiceProcess gateway;
    private static int port;
    /** Its management port, kept across restarts like {@link #port}: the e2e tests read its /q/metrics. */
    private static int managementPort;
    private static HttpServer control;
    private static int generation;

    @BeforeAll
    static void start() throws IOException {
        assumeFalse(Boolean.getBoolean("browser.skip"), "-Dbrowser.skip: the browser tests are skipped");
        SystemPackages.require(chromium().isPresent(), "the browser tests (BrowserIT)",
                "Chromium: apt-get install chromium (or set CHROMIUM=/path/to/chrome); -Dbrowser.skip skips them");
        Cluster.get();
        port = Ports.free();
        managementPort = Ports.free();
        gateway = startGateway();
        control = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        control.createContext("/gateway/kill", ex -> answer(ex, () -> gateway.kill()));
        control.createContext("/gateway/start", ex -> answer(ex, () -> gateway = startGateway()));
        control.start();
    }

    @AfterAll
    static void stop() {
        if (control != null) {
            control.stop(0);
        }
        if (gateway != null) {
            gateway.stop();
        }
    }

    @Test
    void theDashboardsPassTheirBrowserTests() throws Exception {
        Path chromium = chromium().orElseThrow();
        Files.createDirectories(LOGS);
        Path log = LOGS.resolve("e2e.log");
        // The files by name, not the directory: Node 22 takes `e2e/` for one module to run.
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-concurrency=1", "--test-reporter=spec"));
        try (Stream<Path> files = Files.list(WEB.resolve("e2e"))) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".test.mjs")).sorted()
                    .forEach(n -> command.add("e2e/" + n));
        }
        Command.Result node = Command.of(command).directory(WEB).log(log).environment(Map.of(
                "EVENTLINE_URL", "http://localhost:" + port,
                "EVENTLINE_OTHER_URL", Cluster.get().gatewayB.url(),
                "EVENTLINE_MANAGEMENT_URL", "http://127.0.0.1:" + managementPort,
                "EVENTLINE_CONTROL", "http://127.0.0.1:" + control.getAddress().getPort(),
                "CHROMIUM", chromium.toString(),
                "EVENTLINE_RESULTS", WEB.resolve("test-results").toString())).run(Duration.ofMinutes(8));
        String output = node.output();
        System.out.println(output);
        assertThat(node.exitCode()).as("node --test e2e/*.test.mjs (log: %s)\n%s", log, output).isZero();
        assertThat(output).contains("ℹ fail 0").doesNotContain("ℹ pass 0");
    }

    private static ServiceProcess startGateway() {
        Map<String, String> env = new java.util.HashMap<>(Cluster.get().gatewayEnv);
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        ServiceProcess g = Modules.start("gateway", port, env, LOGS.resolve("gateway-" + (++generation)));
        g.awaitReady(Duration.ofSeconds(90));
        return g;
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void answer(HttpExchange ex, Action action) throws IOException {
        int status = 204;
        try {
            action.run();
        } catch (Exception | AssertionError e) {
            status = 500;
        }
        ex.sendResponseHeaders(status, -1);
        ex.close();
    }

    private static Optional<Path> chromium() {
        Stream<String> candidates = Stream.concat(Stream.ofNullable(System.getenv("CHROMIUM")),
                Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"));
        return candidates.map(Path::of).filter(Files::isExecutable).findFirst();
    }
}
