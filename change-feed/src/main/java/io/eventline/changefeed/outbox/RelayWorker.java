package io.eventline.changefeed.outbox;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.eventline.changefeed.trace.TraceContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;

/** One relay loop with its own producer; see {@link OutboxRelay} for the guarantees. */
final class RelayWorker implements Runnable {

    /** "eventlin" in ASCII: the advisory lock that makes relays of one database take turns. */
    private static final long LOCK_KEY = 0x6576656e746c696eL;

    private static final int TX_TIMEOUT_SECONDS = 24 * 3600;

    private enum Outcome { EMPTY, PARTIAL, FULL, LOCKED }

    private final String name;
    private final OutboxConfig config;
    private final EntityManager em;
    private final Map<String, Object> kafkaConfig;
    private final OutboxStats stats;
    private final Counter published;
    private final Counter failures;
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean running = true;
    private Thread thread;
    private KafkaProducer<String, byte[]> producer;

    RelayWorker(String name, OutboxConfig config, EntityManager em, Map<String, Object> kafkaConfig,
            MeterRegistry registry, OutboxStats stats) {
        this.name = name;
        this.config = config;
        this.em = em;
        this.kafkaConfig = kafkaConfig;
        this.stats = stats;
        this.published = Counter.builder("eventline.outbox.published")
                .description("Change records acknowledged by Kafka").register(registry);
        this.failures = Counter.builder("eventline.outbox.publish.failures")
                .description("Relay batches that Kafka did not acknowledge (retried)").register(registry);
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name(name).start(this);
    }

    void stop() {
        running = false;
        wake();
        try {
            thread.join(Duration.ofSeconds(15));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeProducer(Duration.ofSeconds(5));
    }

    void wake() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    @Override
    public void run() {
        Duration backoff = config.initialBackoff();
        Duration lockWait = config.lockRetry();
        while (running) {
            try {
                Outcome outcome = publishBatch();
                backoff = config.initialBackoff();
                if (outcome == Outcome.LOCKED) {
                    // Another relay is mid-batch: look again soon, then less often while it lasts.
                    awaitWake(lockWait);
                    lockWait = min(lockWait.multipliedBy(2), config.sweepInterval());
                    continue;
                }
                lockWait = config.lockRetry();
                if (outcome != Outcome.FULL) { // FULL: more rows are waiting, go on at once
                    awaitWake(config.sweepInterval());
                }
            } catch (RuntimeException e) {
                failures.increment();
                stats.failed(e.toString());
                if (running) {
                    Log.warnf("%s: publishing failed, retrying in %d ms: %s", name, backoff.toMillis(), e);
                }
                closeProducer(Duration.ZERO);
                awaitWake(backoff);
                backoff = min(backoff.multipliedBy(2), config.maxBackoff());
            }
        }
    }

    /** One transaction: take the lock, publish up to a batch in id order, delete what was acknowledged. */
    private Outcome publishBatch() {
        // The transaction may span a broker outage (the batch waits for Kafka), hence the long timeout.
        BatchResult result = QuarkusTransaction.requiringNew().timeout(TX_TIMEOUT_SECONDS).call(() -> {
            Boolean locked = (Boolean) em.createNativeQuery("select pg_try_advisory_xact_lock(?1)")
                    .setParameter(1, LOCK_KEY).getSingleResult();
            if (!locked) {
                return new BatchResult(Outcome.LOCKED, null);
            }
            List<OutboxEntry> batch = em.createQuery("from OutboxEntry e order by e.id", OutboxEntry.class)
                    .setMaxResults(config.batchSize()).getResultList();
            if (batch.isEmpty()) {
                stats.update(0, null);
                return new BatchResult(Outcome.EMPTY, null);
            }
            List<Long> acknowledged = new ArrayList<>(batch.size());
            RuntimeException failure = send(batch, acknowledged);
            if (!acknowledged.isEmpty()) {
                em.createQuery("delete from OutboxEntry e where e.id in :ids").setParameter("ids", acknowledged)
                        .executeUpdate();
                published.increment(acknowledged.size());
            }
            refreshStats();
            if (failure == null) {
                stats.succeeded();
            }
            Outcome outcome = batch.size() == config.batchSize() ? Outcome.FULL : Outcome.PARTIAL;
            return new BatchResult(outcome, failure);
        });
        if (result.failure() != null) {
            throw result.failure();
        }
        return result.outcome();
    }

    /**
     * Sends the batch and collects the ids of the acknowledged prefix; returns the first failure.
     *
     * <p>Order rests on one invariant: what reaches the topic from one attempt is a prefix of the
     * attempt's records. So a batch never expires in the producer (an expired batch followed by
     * a delivered one would put a later record first): while the broker is away the relay waits,
     * and the idempotent producer retries in order. On a hard failure every record still queued
     * is aborted at once, and the next attempt starts again at the first unacknowledged row;
     * consumers drop the repeated prefix by {@code ce_id}.
     */
    private RuntimeException send(List<OutboxEntry> batch, List<Long> acknowledged) {
        List<Future<RecordMetadata>> futures = new ArrayList<>(batch.size());
        RuntimeException failure = null;
        try {
            KafkaProducer<String, byte[]> p = producer();
            for (OutboxEntry entry : batch) {
                ProducerRecord<String, byte[]> record = entry.toChangeRecord().toProducerRecord();
                TraceContext.addHeaders(record.headers(), entry.traceparent, entry.tracestate);
                futures.add(p.send(record));
            }
        } catch (RuntimeException e) {
            failure = e; // e.g. no metadata within max.block.ms: the broker is unreachable
            closeProducer(Duration.ZERO);
        }
        long waitingSince = System.nanoTime();
        for (int i = 0; i < futures.size() && failure == null; i++) {
            try {
                while (!awaitAcknowledgement(futures.get(i))) {
                    if (!running) {
                        closeProducer(Duration.ZERO);
                        return new IllegalStateException("relay stopping");
                    }
                    long waited = System.nanoTime() - waitingSince;
                    if (waited > config.sendTimeout().toNanos()) {
                        stats.failed("Kafka has not acknowledged for " + Duration.ofNanos(waited).toSeconds() + " s");
                    }
                }
                acknowledged.add(batch.get(i).id);
            } catch (ExecutionException e) {
                failure = new IllegalStateException("Kafka rejected a record", e.getCause());
                closeProducer(Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new IllegalStateException("interrupted", e);
                closeProducer(Duration.ZERO);
            }
        }
        return failure;
    }

    private static boolean awaitAcknowledgement(Future<RecordMetadata> future)
            throws ExecutionException, InterruptedException {
        try {
            future.get(1, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    private void refreshStats() {
        Object[] row = (Object[]) em.createNativeQuery("select count(*), min(ce_time) from changefeed_outbox")
                .getSingleResult();
        Object min = row[1];
        Instant oldest = min instanceof OffsetDateTime odt ? odt.toInstant() : min instanceof Instant i ? i : null;
        stats.update(((Number) row[0]).longValue(), oldest);
    }

    private KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            Map<String, Object> props = new HashMap<>(kafkaConfig);
            props.put(ProducerConfig.CLIENT_ID_CONFIG, name);
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            // Never expire a batch (see send); only a missing topic's metadata may fail fast.
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.MAX_VALUE);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) config.sendTimeout().toMillis());
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private void closeProducer(Duration timeout) {
        if (producer != null) {
            try {
                producer.close(timeout);
            } catch (RuntimeException e) {
                Log.debugf("%s: closing the producer: %s", name, e);
            }
            producer = null;
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private void awaitWake(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (signal) {
            while (!woken && running) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            woken = false;
        }
    }

    private record BatchResult(Outcome outcome, RuntimeException failure) {
    }
}
