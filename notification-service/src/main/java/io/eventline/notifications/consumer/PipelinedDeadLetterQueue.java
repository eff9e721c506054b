package io.eventline.notifications.consumer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.reactive.messaging.Metadata;

import io.quarkus.logging.Log;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The connector's failure strategy {@value #STRATEGY}: the stock {@code dead-letter-queue}, with the
 * same record (key, value, headers) and the same {@code dead-letter-*} headers, written pipelined.
 *
 * <p>The stock strategy completes a nack only once the dead letter's write is acknowledged, and
 * ordered processing waits for it before the next record: one produce round trip per bad record,
 * 20 to 250 ms on our machines, so a producer's bug that publishes a thousand bad records would hold
 * every notification behind them for up to minutes. Here the nack completes at once and the next
 * record is processed; the bad record is acked (its offset becomes committable under the
 * {@code throttled} commit strategy) only when its dead letter is acknowledged. A crash before that
 * redelivers it, and it is dead-lettered again: at least once, never lost. A write that fails fails
 * the channel, as the stock strategy does (health DOWN), and the record stays uncommitted.
 */
public final class PipelinedDeadLetterQueue implements KafkaFailureHandler {

    /** The value of {@code failure-strategy} that selects it. */
    public static final String STRATEGY = "pipelined-dead-letter-queue";

    private final String topic;
    private final KafkaProducer<String, byte[]> producer;
    /** Sends in nack order, off the event loop: a send may block while the producer fetches metadata. */
    private final ExecutorService sender;
    private final BiConsumer<Throwable, Boolean> reportFailure;

    private PipelinedDeadLetterQueue(String topic, KafkaProducer<String, byte[]> producer,
            BiConsumer<Throwable, Boolean> reportFailure) {
        this.topic = topic;
        this.producer = producer;
        this.reportFailure = reportFailure;
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dead-letter-sender-" + topic);
            t.setDaemon(true);
            return t;
        });
    }

    @ApplicationScoped
    @Identifier(STRATEGY)
    public static class Factory implements KafkaFailureHandler.Factory {

        @Override
        public KafkaFailureHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx,
                KafkaConsumer<?, ?> consumer, BiConsumer<Throwable, Boolean> reportFailure) {
            // The consumer's connection and security settings (bootstrap, TLS, SASL), as a producer's.
            Map<String, Object> props = new HashMap<>();
            consumer.configuration().forEach((key, value) -> {
                if (ProducerConfig.configNames().contains(key)) {
                    props.put(key, value);
                }
            });
            props.remove(ProducerConfig.INTERCEPTOR_CLASSES_CONFIG);
            props.remove(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
            props.remove(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
            props.put(CommonClientConfigs.CLIENT_ID_CONFIG, config.getDeadLetterQueueProducerClientId()
                    .orElse("dead-letter-producer-" + consumer.configuration().get(CommonClientConfigs.CLIENT_ID_CONFIG)));
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            String topic = config.getDeadLetterQueueTopic().orElse("dead-letter-topic-" + config.getChannel());
            Log.infof("channel %s: records it nacks are written to %s, pipelined", config.getChannel(), topic);
            return new PipelinedDeadLetterQueue(topic,
                    new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer()), reportFailure);
        }
    }

    @Override
    public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
        ProducerRecord<String, byte[]> dead = new ProducerRecord<>(topic, (String) record.getKey(),
                (byte[]) record.getPayload());
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_EXCEPTION_CLASS_NAME, reason.getClass().getName());
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_REASON, message(reason));
        if (reason.getCause() != null) {
            header(dead, KafkaDeadLetterQueue.DEAD_LETTER_CAUSE_CLASS_NAME, reason.getCause().getClass().getName());
            header(dead, KafkaDeadLetterQueue.DEAD_LETTER_CAUSE, message(reason.getCause()));
        }
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_TOPIC, record.getTopic());
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_PARTITION, Integer.toString(record.getPartition()));
        header(dead, KafkaDeadLetterQueue.DEAD_LETTER_OFFSET, Long.toString(record.getOffset()));
        for (Header h : record.getHeaders()) {
            dead.headers().add(h);
        }
        sender.execute(() -> {
            try {
                producer.send(dead, (written, failure) -> {
                    if (failure == null) {
                        record.runOnMessageContext(record::ack);
                    } else {
                        fail(record, failure);
                    }
                });
            } catch (RuntimeException e) {
                fail(record, e);
            }
        });
        return Uni.createFrom().voidItem();
    }

    private void fail(IncomingKafkaRecord<?, ?> record, Throwable failure) {
        Log.errorf(failure, "cannot dead-letter %s-%d@%d to %s: the channel stops, the record stays uncommitted",
                record.getTopic(), record.getPartition(), record.getOffset(), topic);
        reportFailure.accept(failure, true);
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static void header(ProducerRecord<String, byte[]> record, String key, String value) {
        record.headers().add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void terminate() {
        // What is queued is written before the producer closes (close waits for in-flight sends).
        sender.shutdown();
        try {
            sender.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
