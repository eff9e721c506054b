package io.eventline.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.eventline.launcher.ChildProcess;
import io.eventline.launcher.Command;
import io.eventline.launcher.LaunchException;
import io.eventline.launcher.Ports;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Apache Kafka broker in KRaft mode, run as its own process from its Maven artifacts, so
 * that fault tests can kill it and start it again on the same port with the same data.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String STARTED = "Kafka Server started";

    private final Path dir;
    private final RunDirectory run;
    private final String bootstrapServers;
    private final int port;
    private final Scram scram;
    private ChildProcess process;

    private KafkaBroker(RunDirectory run, Path dir, int port, String bootstrapServers, Scram scram) {
        this.run = run;
        this.dir = dir;
        this.port = port;
        this.bootstrapServers = bootstrapServers;
        this.scram = scram;
    }

    /**
     * The broker option of Kafka's access tests: the client listener is SASL_PLAINTEXT with
     * SCRAM-SHA-512 and KRaft's StandardAuthorizer decides, so that what no ACL allows is refused.
     * {@code superUser} (created at format time) administers it: users, ACLs, topics.
     */
    record Scram(String superUser, String superPassword) {
        String jaas() {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + superUser
                    + "\" password=\"" + superPassword + "\";";
        }
    }

    /** Formats fresh storage on free ports and starts the broker (plaintext, no authorizer). */
    static KafkaBroker start(RunDirectory run) {
        return start(run, null);
    }

    /** As {@link #start(RunDirectory)}; with {@code scram}, authenticated and authorized (see {@link Scram}). */
    static KafkaBroker start(RunDirectory run, Scram scram) {
        LocalStackException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Ports.free();
            int controllerPort = Ports.free();
            Path dir = run.resolve("kafka-" + port);
            KafkaBroker broker = new KafkaBroker(run, dir, port, "127.0.0.1:" + port, scram);
            try {
                broker.configure(controllerPort);
                broker.format();
                broker.launch();
                return broker;
            } catch (PortTakenException e) {
                // Another process took the port between our probe and the bind: try new ones.
                last = e;
                broker.kill();
            }
        }
        throw last;
    }

    /** An existing broker named by {@code EVENTLINE_KAFKA}; it cannot be stopped from here. */
    static KafkaBroker external(String bootstrapServers) {
        return new KafkaBroker(null, null, -1, bootstrapServers, null);
    }

    /** What an administrative client needs to reach this broker: the super user's login with {@link Scram}. */
    Map<String, Object> adminConfig() {
        Map<String, Object> config = new HashMap<>(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        if (scram != null) {
            config.put("security.protocol", "SASL_PLAINTEXT");
            config.put("sasl.mechanism", "SCRAM-SHA-512");
            config.put("sasl.jaas.config", scram.jaas());
        }
        return config;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public boolean isEmbedded() {
        return dir != null;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts a stopped broker again, on the same port and with the same data. */
    public synchronized void restart() {
        requireEmbedded();
        if (isRunning()) {
            return;
        }
        launch();
    }

    /** A clean shutdown (SIGTERM, then SIGKILL after 30 s), waiting for the process to exit. */
    public synchronized void stop() {
        requireEmbedded();
        if (process == null) {
            return;
        }
        process.stop();
        process = null;
    }

    /** A crash (SIGKILL), as a fault test wants it. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.kill();
        process = null;
    }

    /** Creates the topics that are missing, with the given partition counts. */
    public void ensureTopics(Map<String, Integer> partitionsByTopic) {
        Map<String, Object> config = adminConfig();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(config)) {
            var existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            partitionsByTopic.forEach((topic, partitions) -> {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, partitions, (short) 1));
                }
            });
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new LocalStackException("cannot create topics on " + bootstrapServers + ": " + e.getCause(), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new LocalStackException("Kafka at " + bootstrapServers + " did not answer within 30 s", e);
        }
    }

    @Override
    public void close() {
        if (isEmbedded()) {
            stop();
        }
    }

    private void requireEmbedded() {
        if (!isEmbedded()) {
            throw new IllegalStateException("the broker at " + bootstrapServers + " is external; it cannot be controlled");
        }
    }

    private void configure(int controllerPort) {
        try {
            Files.createDirectories(dir.resolve("data"));
            Files.writeString(dir.resolve("server.properties"), """
                    process.roles=broker,controller
                    node.id=1
                    controller.quorum.voters=1@127.0.0.1:%2$d
                    listeners=PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                    advertised.listeners=PLAINTEXT://127.0.0.1:%1$d
                    controller.listener.names=CONTROLLER
                    inter.broker.listener.name=PLAINTEXT
                    listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                    log.dirs=%3$s
                    num.partitions=6
                    auto.create.topics.enable=false
                    offsets.topic.replication.factor=1
                    offsets.topic.num.partitions=6
                    transaction.state.log.replication.factor=1
                    transaction.state.log.min.isr=1
                    transaction.state.log.num.partitions=6
                    share.coordinator.state.topic.replication.factor=1
                    share.coordinator.state.topic.min.isr=1
                    group.initial.rebalance.delay.ms=0
                    log.retention.hours=168
                    """.formatted(port, controllerPort, dir.resolve("data")) + (scram == null ? "" : secured(controllerPort)));
            Files.writeString(dir.resolve("log4j2.properties"), """
                    status = warn
                    appender.file.type = File
                    appender.file.name = FILE
                    appender.file.fileName = %s
                    appender.file.layout.type = PatternLayout
                    appender.file.layout.pattern = [%%d] %%p %%m (%%c)%%n
                    rootLogger.level = INFO
                    rootLogger.appenderRef.file.ref = FILE
                    """.formatted(dir.resolve("server.log")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The {@link Scram} option's listeners, replacing the plaintext ones above (later keys win). The
     * broker's own connections log in as the super user: SCRAM on its listener; PLAIN (a static
     * user, since SCRAM credentials live in the metadata the controller serves) on the controller's.
     */
    private String secured(int controllerPort) {
        String plain = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"%1$s\" password=\"%2$s\" user_%1$s=\"%2$s\";"
                .formatted(scram.superUser(), scram.superPassword());
        return """
                listeners=SASL_PLAINTEXT://127.0.0.1:%1$d,CONTROLLER://127.0.0.1:%2$d
                advertised.listeners=SASL_PLAINTEXT://127.0.0.1:%1$d
                inter.broker.listener.name=SASL_PLAINTEXT
                listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
                sasl.enabled.mechanisms=SCRAM-SHA-512
                sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
                listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=%3$s
                sasl.mechanism.controller.protocol=PLAIN
                listener.name.controller.sasl.enabled.mechanisms=PLAIN
                listener.name.controller.plain.sasl.jaas.config=%4$s
                authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
                allow.everyone.if.no.acl.found=false
                super.users=User:%5$s
                """.formatted(port, controllerPort, scram.jaas(), plain, scram.superUser());
    }

    private void format() {
        // "--option=value": a base64 cluster id may start with '-', which a separate argument would not survive.
        List<String> args = new ArrayList<>(List.of("kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId(),
                "--config=" + dir.resolve("server.properties")));
        if (scram != null) {
            // The super user's SCRAM credential, in the metadata from the start: it creates the others.
            args.add("--add-scram=SCRAM-SHA-512=[name=" + scram.superUser() + ",password=" + scram.superPassword() + "]");
        }
        Command.Result format;
        try {
            format = Command.of(java(args)).directory(dir).log(dir.resolve("format.log")).run(Duration.ofSeconds(60));
        } catch (LaunchException e) {
            throw new LocalStackException("formatting Kafka storage failed: " + e.getMessage(), e);
        }
        if (!format.ok()) {
            throw new LocalStackException("formatting Kafka storage failed: " + tail(dir.resolve("format.log")));
        }
    }

    /** A KRaft cluster id: a UUID in URL-safe base64, as {@code StorageTool random-uuid} makes. */
    private static String clusterId() {
        UUID uuid = UUID.randomUUID();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    private void launch() {
        Path log = dir.resolve("server.log");
        long offset = size(log);
        try {
            process = ChildProcess.command("kafka", java(List.of("-Xms64m", "-Xmx512m",
                    "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"), "kafka.Kafka",
                    dir.resolve("server.properties").toString()))).directory(dir).log(dir.resolve("stdout.log"))
                    .grace(Duration.ofSeconds(30)).start();
        } catch (LaunchException e) {
            throw new LocalStackException("cannot start a JVM for Kafka: " + e.getMessage(), e);
        }
        run.recordPid(process.pid());
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String fresh = readFrom(log, offset);
            if (fresh.contains(STARTED)) {
                return;
            }
            if (fresh.contains("Address already in use") || readFrom(dir.resolve("stdout.log"), 0).contains("Address already in use")) {
                throw new PortTakenException("Kafka could not bind 127.0.0.1:" + port + " (already in use)");
            }
            if (!process.isAlive()) {
                throw new LocalStackException("Kafka exited during startup (exit " + process.exitCode() + "): "
                        + tail(dir.resolve("stdout.log")) + tail(log));
            }
            pause(50);
        }
        kill();
        throw new LocalStackException("Kafka did not start within " + START_TIMEOUT.toSeconds() + " s: " + tail(log));
    }

    /** A JVM of this JDK, on the broker's classpath, running {@code args}. */
    private static List<String> java(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(brokerClasspath());
        command.add("-Djava.awt.headless=true");
        command.addAll(args);
        return command;
    }

    static String brokerClasspath() {
        try (InputStream in = KafkaBroker.class.getResourceAsStream("/eventline/kafka-broker.classpath")) {
            if (in == null) {
                throw new LocalStackException("eventline/kafka-broker.classpath is missing: build local-stack with ./mvnw first");
            }
            String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            for (String jar : classpath.split(java.io.File.pathSeparator)) {
                if (!Files.exists(Path.of(jar))) {
                    throw new LocalStackException("the Kafka broker jar " + jar + " is missing: run ./mvnw install -pl local-stack -am");
                }
            }
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    private static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String readFrom(Path file, long offset) {
        try {
            if (!Files.exists(file)) {
                return "";
            }
            byte[] all = Files.readAllBytes(file);
            return offset >= all.length ? "" : new String(all, (int) offset, all.length - (int) offset, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(Path file) {
        String all = readFrom(file, 0);
        return all.length() <= 2000 ? all : all.substring(all.length() - 2000);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while waiting for Kafka", e);
        }
    }

    /** The broker could not bind its port. */
    static final class PortTakenException extends LocalStackException {
        PortTakenException(String message) {
            super(message);
        }
    }
}
