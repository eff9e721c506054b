package io.eventline.changefeed.outbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
    private final List<RelayWorker> workers = new ArrayList<>();
    private final OutboxStats stats = new OutboxStats();

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
        for (int i = 0; i < config.workers(); i++) {
            RelayWorker worker = new RelayWorker(applicationName + "-outbox-relay-" + i, config, em, kafkaConfig,
                    registry, stats);
            workers.add(worker);
            worker.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        workers.forEach(RelayWorker::stop);
        workers.clear();
    }

    /** Asks the relay to publish now; called after a transaction that wrote the outbox committed. */
    public void wake() {
        for (RelayWorker worker : workers) {
            worker.wake();
        }
    }

    /** What the relay knows of the backlog, for health and metrics. */
    public OutboxStats stats() {
        return stats;
    }
}
