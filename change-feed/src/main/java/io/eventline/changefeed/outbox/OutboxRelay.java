package io.eventline.changefeed.outbox;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * Publishes outbox rows to Kafka.
 *
 * <ul>
 * <li><b>Order:</b> rows go out in id order, which is commit order per aggregate (a service locks
 * the aggregate's row before it writes the outbox row), through an idempotent producer with
 * {@code acks=all}; a batch's rows are deleted only after the broker acknowledged them, and only
 * the acknowledged prefix, so a failure never lets a later record overtake an earlier one.</li>
 * <li><b>Latency:</b> a commit that wrote a row wakes the relay at once; a sweep every
 * {@code sweep-interval} is the safety net (rows of another instance, a missed wake-up).</li>
 * <li><b>Several instances:</b> a batch runs under a transaction-scoped PostgreSQL advisory lock,
 * so one relay publishes at a time and no row is published by two.</li>
 * <li><b>Kafka down:</b> writes keep committing; the relay backs off, recreates its producer,
 * and drains the backlog in order when the broker is back.</li>
 * </ul>
 */
@ApplicationScoped
public class OutboxRelay {

    private final OutboxConfig config;
    private final EntityManager em;
    private final MeterRegistry registry;
    private final Map<String, Object> kafkaConfig;
    private final String applicationName;
    /** The relay loop, while this instance runs one. */
    private volatile RelayWorker worker;
    private final OutboxStats stats = new OutboxStats();
    /** Whether Kafka has answered since this instance started (see {@link #kafkaReachedSinceStart()}). */
    private volatile boolean kafkaReached;
    private long lastProbeWarning;

    @Inject
    public OutboxRelay(OutboxConfig config, EntityManager em, MeterRegistry registry,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
            @ConfigProperty(name = "quarkus.application.name") String applicationName) {
        this.config = config;
        this.em = em;
        this.registry = registry;
        this.kafkaConfig = kafkaConfig;
        this.applicationName = applicationName;
    }

    void start(@Observes StartupEvent event) {
        stats.register(registry);
        if (!config.relayEnabled()) {
            Log.info("outbox relay disabled in this instance");
            return;
        }
        worker = new RelayWorker(applicationName + "-outbox-relay", config, em, kafkaConfig, registry, stats);
        worker.start();
    }

    void stop(@Observes ShutdownEvent event) {
        if (worker != null) {
            worker.stop();
            worker = null;
        }
    }

    /** Asks the relay to publish now; called after a transaction that wrote the outbox committed. */
    public void wake() {
        RelayWorker w = worker;
        if (w != null) {
            w.wake();
        }
    }

    /** What the relay knows of the backlog, for health and metrics. */
    public OutboxStats stats() {
        return stats;
    }

    /**
     * Whether Kafka has answered at least once since this instance started; asks it (within
     * 3 s) until it has. A broker that was never reachable is a configuration problem (a wrong
     * {@code KAFKA_BOOTSTRAP_SERVERS}) and makes the instance not ready, with a log line saying
     * so. Once it has answered, later outages do not: the outbox keeps writes working meanwhile.
     */
    public synchronized boolean kafkaReachedSinceStart() {
        if (kafkaReached || !config.relayEnabled()) {
            return true;
        }
        Map<String, Object> admin = new HashMap<>();
        for (Map.Entry<String, Object> e : kafkaConfig.entrySet()) {
            if (AdminClientConfig.configNames().contains(e.getKey())) {
                admin.put(e.getKey(), e.getValue());
            }
        }
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000);
        try (Admin client = Admin.create(admin)) {
            client.describeCluster().clusterId().get(3, TimeUnit.SECONDS);
            kafkaReached = true;
            Log.infof("outbox relay: Kafka at %s answered", admin.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG));
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            long now = System.currentTimeMillis();
            if (now - lastProbeWarning > 30_000) {
                lastProbeWarning = now;
                Log.warnf("outbox relay: Kafka at %s has not answered since this instance started; not ready until it "
                        + "does (check KAFKA_BOOTSTRAP_SERVERS): %s",
                        admin.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG), e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return kafkaReached;
    }
}
