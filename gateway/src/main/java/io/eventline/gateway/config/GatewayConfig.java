package io.eventline.gateway.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the gateway finds the services, and how long it waits for them ({@code eventline.gateway.*}). */
@ConfigMapping(prefix = "eventline.gateway")
public interface GatewayConfig {

    /** events-service: {@code /api/events/**}, {@code /api/bookings/**}. */
    String eventsUrl();

    /** messaging-service: {@code /api/conversations/**}, {@code /api/messages/**}. */
    String messagingUrl();

    /** notification-service: {@code /api/notifications/**}. */
    String notificationsUrl();

    /** events-service's management listener: its {@code /q/openapi}, for {@code /api/openapi}. */
    String eventsManagementUrl();

    /** messaging-service's management listener. */
    String messagingManagementUrl();

    /** notification-service's management listener. */
    String notificationsManagementUrl();

    /** Connecting to a service: a refused or silent connect is a 503 after at most this. */
    @WithDefault("2s")
    Duration connectTimeout();

    /** A service that sends nothing for this long is a 504. */
    @WithDefault("10s")
    Duration upstreamTimeout();

    /** Pooled connections per service. */
    @WithDefault("64")
    int maxConnectionsPerService();
}
