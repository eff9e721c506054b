package io.eventline.gateway.stream;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import jakarta.enterprise.context.ApplicationScoped;

/** Ready once the dispatcher reads every change topic and has preloaded its replay history. */
@Readiness
@ApplicationScoped
public class StreamHealthCheck implements HealthCheck {

    private final StreamService streams;

    public StreamHealthCheck(StreamService streams) {
        this.streams = streams;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("live stream").status(streams.ready())
                .withData("openStreams", streams.openStreams()).build();
    }
}
