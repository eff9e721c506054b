package io.eventline.gateway.rest;

import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.eventline.gateway.proxy.ApiProxy;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/me/summary}: the dashboard's counters, gathered from the services in parallel. */
@Path("/api/me")
@Tag(name = "me", description = "The caller's dashboard")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class MeResource {

    /** A part whose service is down or slow is null; the rest still answers. */
    public record Summary(Long unreadNotifications, Long unreadMessages, Long bookings, Map<String, Object> events) {
    }

    private static final long PART_TIMEOUT_MS = 2_000;

    private final ApiProxy services;

    public MeResource(ApiProxy services) {
        this.services = services;
    }

    @GET
    @Path("summary")
    @Operation(summary = "The caller's counters", description = "unreadNotifications, unreadMessages, bookings "
            + "(confirmed), events by status; a part whose service is unavailable is null.")
    public Uni<Summary> summary(@HeaderParam("Authorization") String authorization) {
        Future<Long> notifications = count("/api/notifications/unread-count", authorization);
        Future<Long> messages = count("/api/messages/unread-count", authorization);
        Future<Long> bookings = count("/api/bookings/count", authorization);
        Future<Map<String, Object>> events = services.getJson("/api/events/counts", authorization, PART_TIMEOUT_MS)
                .map(JsonObject::getMap).otherwise((Map<String, Object>) null);
        Future<Summary> summary = Future.join(notifications, messages, bookings, events)
                .map(all -> new Summary(notifications.result(), messages.result(), bookings.result(), events.result()));
        return Uni.createFrom().completionStage(summary.toCompletionStage());
    }

    private Future<Long> count(String path, String authorization) {
        return services.getJson(path, authorization, PART_TIMEOUT_MS).map(j -> j.getLong("count"))
                .otherwise((Long) null);
    }

}
