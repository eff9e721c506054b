package io.eventline.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One packaged Quarkus service run as its own {@link ChildProcess} ({@code ./eventline up},
 * end-to-end tests, the benchmarks), so it never outlives the JVM that started it.
 */
public final class ServiceProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    /** Public URL to management URL of every service this JVM started, for callers that hold only the former. */
    private static final Map<String, String> MANAGEMENT_URLS = new java.util.concurrent.ConcurrentHashMap<>();

    final String name;
    final int port;
    final int managementPort;
    private final ChildProcess process;

    private ServiceProcess(String name, int port, int managementPort, ChildProcess process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        MANAGEMENT_URLS.put(url(), managementUrl());
    }

    /** The management URL of the service this JVM started whose public URL is {@code url}. */
    public static String managementUrlOf(String url) {
        String management = MANAGEMENT_URLS.get(url);
        if (management == null) {
            throw new IllegalArgumentException("no service started here at " + url);
        }
        return management;
    }

    /**
     * Starts {@code <root>/<module>/target/quarkus-app/quarkus-run.jar} on {@code port}, with its
     * management listener ({@code /q/*}) on {@code QUARKUS_MANAGEMENT_PORT} from {@code env}, or on a
     * free port, bound to {@code QUARKUS_MANAGEMENT_HOST} from {@code env}, or to 127.0.0.1.
     */
    public static ServiceProcess start(Path root, String module, int port, Map<String, String> env, Path logDir) {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new LaunchException(jar + " is missing: package " + module + " first (./mvnw package)");
        }
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new LaunchException("cannot create " + logDir, e);
        }
        return start(module, jar, port, env, logDir);
    }

    /** Waits until {@code /q/health/ready} answers 200 on the management port; fails with the log's end if the process dies. */
    public void awaitReady(Duration timeout) {
        process.awaitReady(timeout, Duration.ofMillis(100), this::isReady);
    }

    /**
     * The gateway's JVM, wherever it runs for real: {@code ./eventline up}, the benchmarks, and the
     * container image (its Dockerfile sets the same collector, and a heap of 75 % of the 1 536 MiB
     * k8s limit: 1 152 MiB; GatewayJvmTest holds the three together). G1 was chosen by measurement
     * (docs/benchmarks.md): of G1, generational ZGC and SerialGC at 1 152 MiB and SerialGC at
     * 512 MiB, G1 had the lowest fan-out p99 at 100 000 deliveries/s; ZGC doubled the RSS. G1 gives
     * back what a burst made it commit: after a collection that finds more than 20 % of the heap free
     * (MaxHeapFreeRatio), and, with no collection for a minute (G1PeriodicGCInterval), in a
     * concurrent cycle of its own, so an idle gateway's RSS is what its streams hold (the idle
     * benchmark: 20.4 KB per stream with G1's defaults, 6.3 KB with these; fan-out p99 unchanged).
     */
    public static final String GATEWAY_JAVA_OPTS = "-Xmx1152m -XX:+UseG1GC -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=10"
            + " -XX:G1PeriodicGCInterval=60000 -XX:+ExitOnOutOfMemoryError";

    static ServiceProcess start(String name, Path jar, int port, Map<String, String> env, Path logDir) {
        Path log = logDir.resolve(name + ".log");
        // Small and frugal by default (tests run many of these on one machine); JAVA_OPTS in env
        // replaces those flags, as it does in the container images (the benchmarks run the gateway so).
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String javaOpts = env.get("JAVA_OPTS");
        command.addAll(javaOpts != null ? List.of(javaOpts.trim().split("\\s+")) : List.of("-Xms32m", "-Xmx384m", "-XX:+UseSerialGC"));
        command.addAll(List.of("-jar", jar.toString()));
        Map<String, String> environment = new java.util.LinkedHashMap<>(env);
        environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        int managementPort = env.containsKey("QUARKUS_MANAGEMENT_PORT") ? Integer.parseInt(env.get("QUARKUS_MANAGEMENT_PORT"))
                : Ports.free();
        environment.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        environment.putIfAbsent("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        // SIGTERM is a graceful Quarkus shutdown; give it 15 s before SIGKILL.
        return new ServiceProcess(name, port, managementPort, ChildProcess.command(name, command).environment(environment).log(log)
                .grace(Duration.ofSeconds(15)).start());
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public boolean isReady() {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The public listener: the API (and the gateway's app); {@code /q/*} is not there. */
    public String url() {
        return "http://localhost:" + port;
    }

    public String name() {
        return name;
    }

    /** The management listener: {@code /q/health}, {@code /q/metrics}, {@code /q/openapi}. */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public Path log() {
        return process.log();
    }

    public String logTail(int lines) {
        return process.logTail(lines);
    }

    /** {@code kill -9}: the process gets no chance to close anything (fault tests). */
    public void kill() {
        process.kill();
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
    }

    /** The service's process id (fault tests: {@code jcmd <pid> GC.run}). */
    public long pid() {
        return process.pid();
    }

    /** SIGTERM, then SIGKILL after 15 s. */
    public void stop() {
        process.stop();
    }
}
