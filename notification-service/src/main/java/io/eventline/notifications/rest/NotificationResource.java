package io.eventline.notifications.rest;


import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.eventline.http.Callers;
import io.eventline.http.Http;
import io.eventline.http.Page;
import io.eventline.http.Problem;
import io.eventline.notifications.service.NotificationService;
import io.eventline.notifications.api.MarkedRead;
import io.eventline.notifications.api.NotificationView;
import io.eventline.notifications.api.UnreadCount;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;

/** The caller's notifications (their own and their role's) and read state. */
@Path("/api/notifications")
@Tag(name = "notifications", description = "Notifications derived from the change feed")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class NotificationResource {

    private final NotificationService notifications;
    private final JsonWebToken jwt;

    public NotificationResource(NotificationService notifications, JsonWebToken jwt) {
        this.notifications = notifications;
        this.jwt = jwt;
    }

    @GET
    @Operation(summary = "The caller's notifications", description = "Newest first; ?unread=true for unread only.")
    public Response list(@QueryParam("unread") String unread, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor, @Context Request request) {
        return Http.conditionalPage(request,
                notifications.list(Callers.of(jwt), unreadOnly(unread), Page.request(limit, cursor)),
                n -> n.id() + ":" + n.read());
    }

    @GET
    @Path("unread-count")
    @Operation(summary = "Unread notifications", description = "Exact.")
    public UnreadCount unreadCount() {
        return new UnreadCount(notifications.unreadCount(Callers.of(jwt)));
    }

    @POST
    @Path("{id}/read")
    @Operation(summary = "Mark one read", description = "Its recipient only; 404 for anyone else.")
    public NotificationView read(@PathParam("id") String id) {
        return notifications.markRead(Callers.of(jwt), Http.id(id, "notification"));
    }

    @POST
    @Path("read-all")
    @Operation(summary = "Mark all the caller's notifications read")
    public MarkedRead readAll() {
        return new MarkedRead(notifications.markAllRead(Callers.of(jwt)));
    }

    private static boolean unreadOnly(String raw) {
        if (raw == null || raw.equals("false")) {
            return false;
        }
        if (raw.equals("true")) {
            return true;
        }
        throw Problem.badRequest("unread", "must be true or false");
    }
}
