package io.eventline.changefeed.outbox;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;

/**
 * A second relay in the test application, beside {@link OutboxRelay}'s own: its own producer and
 * transactions, competing for the same database lock, as the relay of another instance would. It
 * sweeps like any relay; a test that wants it to compete on every commit calls {@link #wake()}
 * after each write, as a commit wakes the application's relay.
 */
@ApplicationScoped
public class CompetingRelay {

    private final RelayWorker worker;

    CompetingRelay(OutboxConfig config, EntityManager em, MeterRegistry registry,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaConfig, OutboxRelay relay) {
        this.worker = new RelayWorker("competing-outbox-relay", config, em, kafkaConfig, registry, relay.stats());
    }

    void start(@Observes StartupEvent event) {
        worker.start();
    }

    void stop(@Observes ShutdownEvent event) {
        worker.stop();
    }

    public void wake() {
        worker.wake();
    }
}
