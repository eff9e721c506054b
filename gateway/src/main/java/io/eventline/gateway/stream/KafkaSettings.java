package io.eventline.gateway.stream;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The Kafka client settings of the stream's consumers: every {@code kafka.*} property (and
 * {@code KAFKA_*} variable) that a consumer takes, as Quarkus collects them, so that
 * bootstrap servers, {@code security.protocol}, SASL and the TLS truststore are set in one place
 * for the dispatcher and the replayer alike.
 */
final class KafkaSettings {

    private final Map<String, Object> settings;

    /** @param kafkaConfig Quarkus's {@code default-kafka-broker} map ({@code kafka.} prefix removed). */
    KafkaSettings(Map<String, Object> kafkaConfig) {
        this.settings = Map.copyOf(kafkaConfig);
    }

    /** Settings for one consumer: no consumer group (Quarkus adds the application's name as one). */
    Properties consumer(String clientId) {
        Properties props = new Properties();
        settings.forEach((key, value) -> {
            if (ConsumerConfig.configNames().contains(key)) {
                props.put(key, value);
            }
        });
        // assign() and seek(), nothing committed: a group would only need ACLs it does not have.
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return props;
    }
}
