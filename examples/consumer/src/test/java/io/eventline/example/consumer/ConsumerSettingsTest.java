package io.eventline.example.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

/** The configuration a consuming team passes in: defaults, pass-through, SCRAM over TLS. */
class ConsumerSettingsTest {

    @Test
    void defaultsToTheExampleTeamsGroupAndAllThreeTopicsAndNeverAutoCommits() {
        ConsumerSettings s = ConsumerSettings.from(Map.of(), new Properties());

        assertThat(s.kafka().getProperty("group.id")).isEqualTo("team-example.consumer");
        assertThat(s.kafka().getProperty("enable.auto.commit")).isEqualTo("false");
        assertThat(s.kafka().getProperty("bootstrap.servers")).isEqualTo("localhost:9092");
        assertThat(s.topics()).containsExactly("eventline.events", "eventline.messages", "eventline.notifications");
    }

    @Test
    void passesSaslSslScramSettingsThroughAndBuildsTheJaasConfigFromUserAndPassword() {
        ConsumerSettings s = ConsumerSettings.from(Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "eventline-kafka-bootstrap.eventline.svc:9093",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_USERNAME", "team-example",
                "KAFKA_SASL_PASSWORD", "s3cr\"et",
                "KAFKA_SSL_TRUSTSTORE_TYPE", "PEM",
                "KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/eventline-ca/ca.crt",
                "KAFKA_GROUP_ID", "team-example.billing",
                "KAFKA_ENABLE_AUTO_COMMIT", "true"), new Properties());

        Properties kafka = s.kafka();
        assertThat(kafka.getProperty("bootstrap.servers")).isEqualTo("eventline-kafka-bootstrap.eventline.svc:9093");
        assertThat(kafka.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(kafka.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
        assertThat(kafka.getProperty("ssl.truststore.type")).isEqualTo("PEM");
        assertThat(kafka.getProperty("ssl.truststore.location")).isEqualTo("/etc/eventline-ca/ca.crt");
        assertThat(kafka.getProperty("group.id")).isEqualTo("team-example.billing");
        assertThat(kafka.getProperty("sasl.jaas.config")).isEqualTo(
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"team-example\""
                        + " password=\"s3cr\\\"et\";");
        assertThat(kafka).doesNotContainKeys("sasl.username", "sasl.password");
        assertThat(kafka.getProperty("enable.auto.commit")).as("offsets follow handling").isEqualTo("false");
        assertThat(s.describe()).doesNotContain("s3cr").contains("sasl.jaas.config=****");
    }

    @Test
    void aJaasConfigGivenAsIsWinsAndSystemPropertiesOverrideTheEnvironment() {
        Properties system = new Properties();
        system.setProperty("kafka.group.id", "team-example.from-flag");
        system.setProperty("java.version", "ignored: not kafka.*");
        ConsumerSettings s = ConsumerSettings.from(Map.of(
                "KAFKA_SASL_JAAS_CONFIG", "from-the-secret;",
                "KAFKA_SASL_USERNAME", "team-example",
                "KAFKA_GROUP_ID", "team-example.from-env",
                "EXAMPLE_TOPICS", "eventline.events, eventline.messages"), system);

        assertThat(s.kafka().getProperty("sasl.jaas.config")).isEqualTo("from-the-secret;");
        assertThat(s.kafka().getProperty("group.id")).isEqualTo("team-example.from-flag");
        assertThat(s.kafka()).doesNotContainKey("version");
        assertThat(s.topics()).containsExactly("eventline.events", "eventline.messages");
    }
}
