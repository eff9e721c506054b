package io.eventline.bench;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.Topics;

/**
 * Public change records straight onto {@code eventline.events}, as a service's relay would
 * (idempotent, {@code acks=all}), each carrying {@code {"seq":n}}. The data has no {@code id}, so
 * notification-service skips it as not an aggregate's state and derives nothing from it.
 */
final class Publishers {

    private Publishers() {
    }

    interface Publisher extends AutoCloseable {
        void publish(int seq);

        @Override
        void close();
    }

    static Publisher kafka(String bootstrap) {
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "acks", "all",
                "enable.idempotence", "true", "linger.ms", "0"), new StringSerializer(), new ByteArraySerializer());
        return new Publisher() {
            @Override
            public void publish(int seq) {
                String key = UUID.randomUUID().toString();
                producer.send(new ChangeRecord(Topics.EVENTS, key, UUID.randomUUID().toString(), "bench", "event.updated", key,
                        Instant.now(), Audience.PUBLIC, 1, "{\"seq\":" + seq + "}").toProducerRecord());
            }

            @Override
            public void close() {
                producer.close();
            }
        };
    }

    static Publisher peer(io.eventline.bench.peers.Peer peer) {
        return new Publisher() {
            @Override
            public void publish(int seq) {
                peer.publish(Integer.toString(seq), "{\"seq\":" + seq + "}");
            }

            @Override
            public void close() {
            }
        };
    }

    /** Publishes seqs [from, from + rate × seconds) at {@code rate} per second, paced; returns the next seq. */
    static int pace(Publisher p, Fleet fleet, int from, int rate, double seconds, int step) throws InterruptedException {
        long n = Math.round(rate * seconds);
        long t0 = System.nanoTime();
        for (long i = 0; i < n; i++) {
            long due = t0 + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            int seq = from + (int) i;
            fleet.sent(seq, step);
            p.publish(seq);
        }
        return from + (int) n;
    }
}
