package io.eventline.changefeed.outbox;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Reports the outbox relay: its backlog, its lag and Kafka's last error.
 *
 * <p>It is DOWN until Kafka has answered once since the instance started: a broker that was never
 * reachable is a configuration problem, and a new instance should not take traffic with it. After
 * that it stays UP while Kafka is unreachable, on purpose: the outbox exists so that writes
 * succeed while the broker is down, and a readiness probe that failed would take the service out
 * of rotation and turn a Kafka outage into a write outage. Alert on
 * {@code eventline_outbox_lag_seconds} instead.
 */
@Readiness
@ApplicationScoped
public class OutboxHealthCheck implements HealthCheck {

    private final OutboxRelay relay;

    public OutboxHealthCheck(OutboxRelay relay) {
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        OutboxStats stats = relay.stats();
        String error = stats.lastError();
        if (!relay.kafkaReachedSinceStart()) {
            return HealthCheckResponse.named("change-feed outbox relay").down()
                    .withData("kafka", "has not answered since this instance started: check KAFKA_BOOTSTRAP_SERVERS")
                    .withData("pending", stats.pending()).build();
        }
        return HealthCheckResponse.named("change-feed outbox relay")
                .up()
                .withData("kafka", error == null ? "publishing" : "unreachable: " + error)
                .withData("pending", stats.pending())
                .withData("lagSeconds", stats.oldestAge().toSeconds())
                .build();
    }
}
