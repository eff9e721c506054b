package io.eventline.notifications.messaging;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/** Ready only while the change-feed consumer runs and polls: without it no notification is made. */
@Readiness
@ApplicationScoped
public class ConsumerHealthCheck implements HealthCheck {

    private final ChangeFeedConsumer consumer;

    public ConsumerHealthCheck(ChangeFeedConsumer consumer) {
        this.consumer = consumer;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("change-feed consumer").status(consumer.isHealthy())
                .withData("group", ChangeFeedConsumer.GROUP).build();
    }
}
