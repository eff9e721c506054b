package io.eventline.localstack;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The Kafka ACLs of k8s/base/kafka hold on a real broker: SCRAM-SHA-512 and KRaft's
 * StandardAuthorizer, with the users, ACLs and topics read from the manifests themselves, so that
 * the manifests and this test cannot drift. Reads are allowed; the forbidden writes are refused.
 */
class KafkaAclTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> CHANGE_TOPICS = List.of("eventline.events", "eventline.messages",
            "eventline.notifications");

    static RunDirectory run;
    static KafkaBroker broker;
    static Map<String, JsonNode> users;
    static final Map<String, String> passwords = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Map<String, List<JsonNode>> manifests = manifests(repositoryRoot().resolve("k8s/base/kafka"));
        users = new LinkedHashMap<>();
        manifests.getOrDefault("KafkaUser", List.of()).forEach(u -> users.put(u.at("/metadata/name").asText(), u));
        assertTrue(users.keySet().containsAll(List.of("events-service", "messaging-service", "notification-service",
                "gateway", "team-example")), "KafkaUsers in k8s/base/kafka: " + users.keySet());
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (JsonNode t : manifests.getOrDefault("KafkaTopic", List.of())) {
            topics.put(t.at("/spec/topicName").asText(t.at("/metadata/name").asText()), t.at("/spec/partitions").asInt());
        }

        run = RunDirectory.create();
        broker = KafkaBroker.start(run, new KafkaBroker.Scram("admin", "admin-" + UUID.randomUUID()));
        broker.ensureTopics(topics);
        try (Admin admin = Admin.create(broker.adminConfig())) {
            List<UserScramCredentialUpsertion> credentials = new ArrayList<>();
            List<AclBinding> acls = new ArrayList<>();
            users.forEach((name, user) -> {
                assertEquals("scram-sha-512", user.at("/spec/authentication/type").asText(), name);
                passwords.put(name, "pw-" + UUID.randomUUID());
                credentials.add(new UserScramCredentialUpsertion(name,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096), passwords.get(name)));
                acls.addAll(aclBindings(name, user));
            });
            admin.alterUserScramCredentials(new ArrayList<>(credentials)).all().get(30, TimeUnit.SECONDS);
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            // The broker answers describeAcls from its authorizer: once it lists them all, they apply.
            await().atMost(WAIT).until(() -> admin.describeAcls(AclBindingFilter.ANY).values().get(10, TimeUnit.SECONDS)
                    .containsAll(acls));
            // One record on each change topic, for the readers to find.
            try (var producer = new KafkaProducer<>(asAdmin(), new StringSerializer(),
                    new StringSerializer())) {
                for (String topic : CHANGE_TOPICS) {
                    producer.send(new ProducerRecord<>(topic, "probe", "seed of " + topic)).get(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (run != null) {
            run.delete();
        }
    }

    @Test
    void theGatewayReadsEveryChangeTopicWithoutAConsumerGroup() {
        Map<String, Object> config = login("gateway");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            for (String topic : CHANGE_TOPICS) {
                // As the gateway's dispatcher does: metadata, offsets, assign and seek, fetch.
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
                consumer.assign(partitions);
                consumer.beginningOffsets(partitions, Duration.ofSeconds(10)).forEach(consumer::seek);
                assertEquals(Set.of(topic), readTopics(consumer, Set.of(topic)));
            }
        }
    }

    @Test
    void aConsumingTeamReadsEveryChangeTopicInAGroupOfItsOwnPrefix() {
        Map<String, Object> config = login("team-example");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "team-example.probe");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(CHANGE_TOPICS);
            assertEquals(Set.copyOf(CHANGE_TOPICS), readTopics(consumer, Set.copyOf(CHANGE_TOPICS)));
            consumer.commitSync(Duration.ofSeconds(10));
        }
    }

    @Test
    void aConsumingTeamCannotJoinNotificationServicesGroup() {
        Map<String, Object> config = login("team-example");
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "notification-service");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("eventline.events"));
            assertThrows(GroupAuthorizationException.class, () -> pollUntilRefused(consumer));
        }
    }

    @Test
    void aConsumingTeamProducingToTheEventsTopicIsRefused() {
        assertWriteRefused("team-example", "eventline.events");
    }

    @Test
    void eventsServiceWritingTheMessagesTopicIsRefused() {
        assertWriteRefused("events-service", "eventline.messages");
    }

    @Test
    void theGatewayWritingAnyChangeTopicIsRefused() {
        for (String topic : CHANGE_TOPICS) {
            assertWriteRefused("gateway", topic);
        }
    }

    @Test
    void eventsServiceWritesItsOwnTopicAsItsOutboxRelayDoes() throws Exception {
        Map<String, Object> config = login("events-service");
        // The relay's producer settings (change-feed's RelayWorker): idempotent, acks=all.
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            var sent = producer.send(new ProducerRecord<>("eventline.events", "evt-1", "{}")).get(30, TimeUnit.SECONDS);
            assertEquals("eventline.events", sent.topic());
        }
    }

    /** A plain producer (no idempotence: the refusal is the topic's, not the producer id's) is refused. */
    private static void assertWriteRefused(String user, String topic) {
        Map<String, Object> config = login(user);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (var producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> producer.send(new ProducerRecord<>(topic, "k", "forged")).get(30, TimeUnit.SECONDS),
                    user + " wrote " + topic);
            TopicAuthorizationException refused = assertInstanceOf(TopicAuthorizationException.class, e.getCause(),
                    user + " writing " + topic);
            assertEquals(Set.of(topic), refused.unauthorizedTopics());
        }
    }

    /** Polls (within {@link #WAIT}) until records of every wanted topic came; returns the topics seen. */
    private static Set<String> readTopics(KafkaConsumer<String, String> consumer, Set<String> wanted) {
        Set<String> seen = new HashSet<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!seen.containsAll(wanted) && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                seen.add(r.topic());
            }
        }
        return seen;
    }

    private static void pollUntilRefused(KafkaConsumer<String, String> consumer) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200));
        }
    }

    private static Map<String, Object> login(String user) {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", broker.bootstrapServers());
        config.put("security.protocol", "SASL_PLAINTEXT");
        config.put("sasl.mechanism", "SCRAM-SHA-512");
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + passwords.get(user) + "\";");
        config.put("client.id", user + "-acl-test");
        return config;
    }

    private static Map<String, Object> asAdmin() {
        Map<String, Object> config = new HashMap<>(broker.adminConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return config;
    }

    /** A KafkaUser's ACLs as Strimzi's user operator creates them (host "*" unless it says otherwise). */
    static List<AclBinding> aclBindings(String user, JsonNode kafkaUser) {
        List<AclBinding> out = new ArrayList<>();
        for (JsonNode acl : kafkaUser.at("/spec/authorization/acls")) {
            JsonNode r = acl.get("resource");
            ResourceType type = switch (r.get("type").asText()) {
                case "topic" -> ResourceType.TOPIC;
                case "group" -> ResourceType.GROUP;
                case "cluster" -> ResourceType.CLUSTER;
                case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
                default -> throw new IllegalArgumentException("KafkaUser " + user + ": resource type " + r.get("type"));
            };
            String name = type == ResourceType.CLUSTER ? "kafka-cluster" : r.path("name").asText("*");
            PatternType pattern = "prefix".equals(r.path("patternType").asText("literal")) ? PatternType.PREFIXED
                    : PatternType.LITERAL;
            AclPermissionType permission = "deny".equals(acl.path("type").asText("allow")) ? AclPermissionType.DENY
                    : AclPermissionType.ALLOW;
            List<String> operations = new ArrayList<>();
            acl.path("operations").forEach(op -> operations.add(op.asText()));
            if (acl.has("operation")) {
                operations.add(acl.get("operation").asText());
            }
            for (String op : operations) {
                out.add(new AclBinding(new ResourcePattern(type, name, pattern),
                        new AccessControlEntry("User:" + user, acl.path("host").asText("*"), operation(op), permission)));
            }
        }
        return out;
    }

    /** Strimzi's operation names (Read, DescribeConfigs, IdempotentWrite) as Kafka's enum. */
    static AclOperation operation(String strimzi) {
        Matcher m = Pattern.compile("(?<=[a-z])(?=[A-Z])").matcher(strimzi);
        return AclOperation.valueOf(m.replaceAll("_").toUpperCase(java.util.Locale.ROOT));
    }

    /** Every document of the directory's YAML files, by kind. */
    static Map<String, List<JsonNode>> manifests(Path dir) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, List<JsonNode>> byKind = new HashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (var parser = yaml.getFactory().createParser(f.toFile())) {
                    for (var it = yaml.readValues(parser, JsonNode.class); it.hasNext();) {
                        JsonNode doc = it.next();
                        if (doc != null && doc.has("kind")) {
                            byKind.computeIfAbsent(doc.get("kind").asText(), k -> new ArrayList<>()).add(doc);
                        }
                    }
                }
            }
        }
        return byKind;
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("k8s/base/kafka"))) {
                return p;
            }
        }
        throw new IllegalStateException("no k8s/base/kafka above " + Path.of("").toAbsolutePath());
    }
}
