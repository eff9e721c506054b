package io.eventline.messaging.rest;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.eventline.http.Callers;
import io.eventline.messaging.service.ConversationService;
import io.eventline.messaging.api.UnreadCount;
import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The caller's unread count over all conversations, for the badge. */
@Path("/api/messages")
@Tag(name = "conversations")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class UnreadResource {

    private final ConversationService conversations;
    private final JsonWebToken jwt;

    public UnreadResource(ConversationService conversations, JsonWebToken jwt) {
        this.conversations = conversations;
        this.jwt = jwt;
    }

    @GET
    @Path("unread-count")
    @Operation(summary = "Unread messages", description = "Exact; the caller's own messages never count.")
    public UnreadCount unreadCount() {
        return new UnreadCount(conversations.unreadTotal(Callers.of(jwt)));
    }
}
