package io.eventline.localstack;

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
import java.util.concurrent.TimeUnit;

/**
 * One packaged Quarkus service run as its own process ({@code ./eventline up}, end-to-end tests),
 * guarded so it never outlives the JVM that started it.
 */
public final class ServiceProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    final String name;
    final int port;
    private final Path log;
    private final Process process;
    private final Process watchdog;

    private ServiceProcess(String name, int port, Path log, Process process, Process watchdog) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
        this.watchdog = watchdog;
    }

    /** Starts {@code <root>/<module>/target/quarkus-app/quarkus-run.jar} on {@code port}. */
    public static ServiceProcess start(Path root, String module, int port, Map<String, String> env, Path logDir) {
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new LocalStackException(jar + " is missing: package " + module + " first (./mvnw package)");
        }
        try {
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new LocalStackException("cannot create " + logDir, e);
        }
        return start(module, jar, port, env, logDir);
    }

    /** Waits until {@code /q/health/ready} answers 200; fails with the log's end if the process dies. */
    public void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!isReady()) {
            if (!isAlive()) {
                throw new LocalStackException(name + " exited during startup:\n" + logTail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new LocalStackException(name + " not ready within " + timeout.toSeconds() + " s:\n" + logTail(30));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LocalStackException("interrupted", e);
            }
        }
    }

    static ServiceProcess start(String name, Path jar, int port, Map<String, String> env, Path logDir) {
        Path log = logDir.resolve(name + ".log");
        // Small and frugal by default (tests run many of these on one machine); JAVA_OPTS in env
        // replaces those flags, as it does in the container images (the benchmarks run the gateway so).
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String javaOpts = env.get("JAVA_OPTS");
        command.addAll(javaOpts != null ? List.of(javaOpts.trim().split("\\s+")) : List.of("-Xms32m", "-Xmx384m", "-XX:+UseSerialGC"));
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        try {
            Process process = pb.start();
            return new ServiceProcess(name, port, log, process, ProcessGuard.guard(process.pid()));
        } catch (IOException e) {
            throw new LocalStackException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public boolean isReady() {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public String url() {
        return "http://localhost:" + port;
    }

    Path log() {
        return log;
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** {@code kill -9}: the process gets no chance to close anything (fault tests). */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watchdog.destroy();
        }
    }

    public int port() {
        return port;
    }

    /** The service's process id (fault tests: {@code jcmd <pid> GC.run}). */
    public long pid() {
        return process.pid();
    }

    public void stop() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watchdog.destroy();
        }
    }
}
