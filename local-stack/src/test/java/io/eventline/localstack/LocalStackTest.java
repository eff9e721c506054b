package io.eventline.localstack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

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
    void closingStopsEveryProcessAndDeletesTheData() {
        LocalStack other = LocalStack.start();
        var descendantsBefore = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
        assertTrue(descendantsBefore > 0);
        var dataDirs = RunDirectory.baseDirectory();
        other.close();
        // Only the first stack's processes remain: the closed one left nothing behind.
        List<String> leftovers = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> p.info().commandLine().orElse("?"))
                .filter(c -> c.contains(other.kafkaBootstrapServers().split(":")[1]))
                .toList();
        assertEquals(List.of(), leftovers);
        assertTrue(Files.isDirectory(dataDirs));
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
