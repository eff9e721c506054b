package io.eventline.localstack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stack is real: a PostgreSQL 18 that takes SQL, and a Kafka broker that survives a kill. */
class LocalStackTest {

    static LocalStack stack;

    @BeforeAll
    static void start() {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void postgresIsACurrentMajorVersionAndCreatesDatabasesOnDemand() throws Exception {
        String url = stack.jdbcUrl("probe_db");
        try (var c = DriverManager.getConnection(url, stack.dbUsername(), stack.dbPassword());
                var rs = c.createStatement().executeQuery("show server_version_num")) {
            assertTrue(rs.next());
            assertTrue(Integer.parseInt(rs.getString(1)) >= 180000, "server version " + rs.getString(1));
        }
    }

    @Test
    void topicsExistAndARecordSurvivesABrokerKillAndRestart() {
        String topic = "eventline.events";
        String key = "probe-" + System.nanoTime();
        try (var producer = producer()) {
            producer.send(new ProducerRecord<>(topic, key, "before")).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        stack.killKafka();
        assertFalse(stack.kafkaRunning());
        stack.restartKafka();
        assertTrue(stack.kafkaRunning());

        try (var consumer = consumer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            assertEquals(LocalStack.TOPICS.get(topic), partitions.size());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                for (var r : records) {
                    if (r.key().equals(key)) {
                        return r.value().equals("before");
                    }
                }
                return false;
            });
        }
    }

    @Test
    void closingStopsEveryProcessAndDeletesTheData() throws Exception {
        Path base = RunDirectory.baseDirectory();
        Set<Path> dirsBefore = runDirectoriesOfThisJvm(base);
        Set<Long> childrenBefore = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
        LocalStack other = LocalStack.start();
        Path runDir;
        Map<Long, String> started = new TreeMap<>();
        try {
            Set<Path> fresh = runDirectoriesOfThisJvm(base);
            fresh.removeAll(dirsBefore);
            assertEquals(1, fresh.size(), "the new stack's run directory among " + fresh);
            runDir = fresh.iterator().next();
            // What the stack recorded (the postmaster, the broker) with everything under them, and
            // whatever this JVM has started since (the watchdogs).
            List<ProcessHandle> recorded = Files.readAllLines(runDir.resolve(RunDirectory.PIDS_FILE)).stream()
                    .map(line -> ProcessHandle.of(Long.parseLong(line.trim()))).flatMap(Optional::stream).toList();
            Stream.concat(recorded.stream(), recorded.stream().flatMap(ProcessHandle::descendants))
                    .forEach(p -> started.put(p.pid(), describe(p)));
            ProcessHandle.current().descendants().filter(p -> !childrenBefore.contains(p.pid()))
                    .forEach(p -> started.put(p.pid(), describe(p)));
            long postmaster = Long.parseLong(Files.readAllLines(runDir.resolve("postgres").resolve("postmaster.pid")).get(0).trim());
            assertTrue(started.containsKey(postmaster), "the postmaster " + postmaster + " among " + started);
            assertTrue(ProcessHandle.of(postmaster).orElseThrow().children().findAny().isPresent(),
                    "the postmaster's own processes (checkpointer, walwriter, ...)");
            List<ProcessHandle> brokers = recorded.stream().filter(p -> p.pid() != postmaster).toList();
            assertEquals(1, brokers.size(), "the broker besides the postmaster in " + recorded);
            assertTrue(brokers.get(0).info().command().orElse("").endsWith("/java"), "the broker is a JVM: " + started);
            assertTrue(started.keySet().stream().anyMatch(pid -> ProcessHandle.of(pid).flatMap(h -> h.info().commandLine())
                    .orElse("").contains("eventline-watchdog")), "a watchdog among " + started);
        } catch (Exception | AssertionError e) {
            other.close();
            throw e;
        }
        Map<Long, ProcessHandle> handles = new TreeMap<>();
        started.keySet().forEach(pid -> ProcessHandle.of(pid).ifPresent(h -> handles.put(pid, h)));

        other.close();

        // PostgreSQL and Kafka are waited for; a watchdog is only signalled, and may finish its "sleep 1".
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertEquals(Map.of(), alive(handles, started),
                "processes the closed stack started that are still running"));
        assertFalse(Files.exists(runDir), "the closed stack's data directory " + runDir + " still exists");
    }

    /** The run directories this JVM owns (named "<pid>-..."). */
    private static Set<Path> runDirectoriesOfThisJvm(Path base) throws IOException {
        try (Stream<Path> dirs = Files.list(base)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith(ProcessHandle.current().pid() + "-"))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    private static Map<Long, String> alive(Map<Long, ProcessHandle> handles, Map<Long, String> started) {
        Map<Long, String> alive = new TreeMap<>();
        // A handle remembers its process's start time: a reused pid does not count as alive.
        handles.forEach((pid, h) -> {
            if (h.isAlive()) {
                alive.put(pid, started.get(pid));
            }
        });
        return alive;
    }

    /** The command line, on one line and short: the broker's class path alone is kilobytes. */
    private static String describe(ProcessHandle p) {
        String line = p.info().commandLine().orElse(p.info().command().orElse("?")).replaceAll("\\s+", " ");
        return line.length() > 160 ? line.substring(0, 160) + "…" : line;
    }

    @Test
    void devTokensCarryTheClaimsTheServicesNeed() {
        String token = DevTokens.mint("alice", "partner", "Alice", Duration.ofMinutes(5));
        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1]));
        assertTrue(payload.contains("\"sub\":\"alice\""), payload);
        assertTrue(payload.contains("\"groups\":[\"partner\"]"), payload);
        assertTrue(Files.exists(DevTokens.publicKeyFile()));
        assertEquals(DevTokens.ISSUER, DevTokens.verificationConfig().get("mp.jwt.verify.issuer"));
    }

    @Test
    void existingInfrastructureIsUsedInsteadOfStartingNewProcessesWithASchemaPerService() throws Exception {
        String database = stack.jdbcUrl("shared_db");
        long childrenBefore = infrastructureProcesses();

        LocalStack onExisting = LocalStack.start(Map.of("EVENTLINE_DB_URL", database, "EVENTLINE_DB_USER",
                stack.dbUsername(), "EVENTLINE_DB_PASSWORD", stack.dbPassword(), "EVENTLINE_KAFKA",
                stack.kafkaBootstrapServers()));
        try {
            assertEquals(childrenBefore, infrastructureProcesses(), "no new broker or database process");
            assertEquals(stack.kafkaBootstrapServers(), onExisting.kafkaBootstrapServers());
            assertEquals(-1, onExisting.postgresPort());
            String a = onExisting.jdbcUrl("svc_a");
            String b = onExisting.jdbcUrl("svc_b");
            try (var ca = DriverManager.getConnection(a, stack.dbUsername(), stack.dbPassword());
                    var cb = DriverManager.getConnection(b, stack.dbUsername(), stack.dbPassword())) {
                ca.createStatement().execute("create table flyway_like_history (v int)");
                cb.createStatement().execute("create table flyway_like_history (v int)"); // no clash: its own schema
                var rs = ca.createStatement().executeQuery("select current_schema()");
                assertTrue(rs.next());
                assertEquals("svc_a", rs.getString(1));
            }
        } finally {
            onExisting.close(); // closing what it did not start stops nothing
        }
        assertTrue(stack.kafkaRunning());
        try (var c = DriverManager.getConnection(database, stack.dbUsername(), stack.dbPassword())) {
            assertTrue(c.isValid(2));
        }
    }

    /** Brokers and PostgreSQL servers started by this JVM (watchdogs come and go with their sleeps). */
    private static long infrastructureProcesses() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().map(c -> c.contains("kafka.Kafka") || c.contains("bin/postgres"))
                        .orElse(false))
                .count();
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.putAll(Map.of("bootstrap.servers", stack.kafkaBootstrapServers(), "acks", "all"));
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.putAll(Map.of("bootstrap.servers", stack.kafkaBootstrapServers(), "enable.auto.commit", "false"));
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }
}
