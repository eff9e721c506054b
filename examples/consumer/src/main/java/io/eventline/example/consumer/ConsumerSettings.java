package io.eventline.example.consumer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The consumer's configuration, from the environment (and {@code -D} system properties, which win):
 *
 * <ul>
 * <li>every {@code KAFKA_*} variable is a Kafka client property ({@code KAFKA_BOOTSTRAP_SERVERS} is
 * {@code bootstrap.servers}, {@code KAFKA_SECURITY_PROTOCOL} is {@code security.protocol},
 * {@code KAFKA_SSL_TRUSTSTORE_LOCATION} is {@code ssl.truststore.location}, …); so is every
 * {@code -Dkafka.*} property, and every line of the file named by {@code EXAMPLE_CONSUMER_CONFIG};</li>
 * <li>{@code KAFKA_SASL_USERNAME} and {@code KAFKA_SASL_PASSWORD} build a SCRAM {@code sasl.jaas.config}
 * when none is given (a Strimzi KafkaUser's secret holds the password, and a ready-made
 * {@code sasl.jaas.config} too);</li>
 * <li>{@code EXAMPLE_TOPICS} (comma-separated) and {@code EXAMPLE_DEDUP_CAPACITY}.</li>
 * </ul>
 *
 * The group id defaults to {@code team-example.consumer}: the example KafkaUser {@code team-example}
 * may use only groups that start with {@code team-example.}.
 */
public record ConsumerSettings(Properties kafka, List<String> topics, int dedupCapacity) {

    public static final String DEFAULT_GROUP_ID = "team-example.consumer";
    public static final List<String> DEFAULT_TOPICS = List.of("eventline.events", "eventline.messages",
            "eventline.notifications");

    private static final String USERNAME = "KAFKA_SASL_USERNAME";
    private static final String PASSWORD = "KAFKA_SASL_PASSWORD";

    /** The settings of this process: its environment and system properties. */
    public static ConsumerSettings fromEnvironment() {
        return from(System.getenv(), System.getProperties());
    }

    public static ConsumerSettings from(Map<String, String> env, Properties system) {
        Properties kafka = new Properties();
        kafka.setProperty("bootstrap.servers", "localhost:9092");
        kafka.setProperty("group.id", DEFAULT_GROUP_ID);
        // A new group reads what the topics still hold (7 days); see docs/consuming.md for a bootstrap.
        kafka.setProperty("auto.offset.reset", "earliest");
        String file = env.get("EXAMPLE_CONSUMER_CONFIG");
        if (file != null && !file.isBlank()) {
            try (InputStream in = Files.newInputStream(Path.of(file))) {
                kafka.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read EXAMPLE_CONSUMER_CONFIG " + file, e);
            }
        }
        env.forEach((name, value) -> {
            if (name.startsWith("KAFKA_") && !name.equals(USERNAME) && !name.equals(PASSWORD) && !value.isBlank()) {
                kafka.setProperty(name.substring(6).toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        system.stringPropertyNames().stream().filter(n -> n.startsWith("kafka."))
                .forEach(n -> kafka.setProperty(n.substring(6), system.getProperty(n)));
        String username = env.get(USERNAME);
        if (username != null && !username.isBlank() && !kafka.containsKey("sasl.jaas.config")) {
            String password = env.getOrDefault(PASSWORD, "");
            kafka.setProperty("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
                    + " username=\"" + jaasQuote(username) + "\" password=\"" + jaasQuote(password) + "\";");
        }
        // The example commits what it has handled itself, never on a timer.
        kafka.setProperty("enable.auto.commit", "false");

        List<String> topics = Arrays.stream(env.getOrDefault("EXAMPLE_TOPICS", String.join(",", DEFAULT_TOPICS))
                .split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        int capacity = Integer.parseInt(env.getOrDefault("EXAMPLE_DEDUP_CAPACITY", "100000"));
        return new ConsumerSettings(kafka, topics, capacity);
    }

    /** The settings to print: secrets masked. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        kafka.stringPropertyNames().stream().sorted().forEach(name -> out.append("  ").append(name).append('=')
                .append(name.contains("password") || name.contains("jaas") ? "****" : kafka.getProperty(name))
                .append('\n'));
        return out.append("  topics=").append(String.join(",", topics)).toString();
    }

    private static String jaasQuote(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
