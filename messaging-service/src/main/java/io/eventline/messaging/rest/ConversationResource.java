package io.eventline.messaging.rest;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.eventline.http.Callers;
import io.eventline.http.Http;
import io.eventline.http.Page;
import io.eventline.http.Problem;
import io.eventline.messaging.service.ConversationService;
import io.eventline.http.Created;
import io.eventline.messaging.api.MarkRead;
import io.eventline.messaging.api.NewConversation;
import io.eventline.messaging.api.NewMessage;
import io.eventline.messaging.api.ConversationView;
import io.eventline.messaging.api.MessageView;
import io.eventline.messaging.api.ReadState;
import io.quarkus.security.Authenticated;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;

/** Conversations and their messages; a non-participant gets 404 everywhere. */
@Path("/api/conversations")
@Tag(name = "conversations", description = "Conversations, messages and read state")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class ConversationResource {

    private final ConversationService conversations;
    private final JsonWebToken jwt;

    public ConversationResource(ConversationService conversations, JsonWebToken jwt) {
        this.conversations = conversations;
        this.jwt = jwt;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a conversation", description = "With 1 to 50 others; the caller is added.")
    @APIResponse(responseCode = "201", description = "Created; Location set")
    public Response create(@Valid @NotNull NewConversation in, @HeaderParam("Idempotency-Key") String key) {
        Created<ConversationView> created = conversations.create(Callers.of(jwt), in, key);
        return Response.status(201).header("Location", "/api/conversations/" + created.value().id())
                .entity(created.value()).header("Idempotent-Replayed", created.replayed() ? "true" : null).build();
    }

    @GET
    @Operation(summary = "The caller's conversations", description = "Latest activity first, each with participants, lastMessage and unreadCount.")
    public Response list(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @Context Request request) {
        return Http.conditionalPage(request, conversations.list(Callers.of(jwt), Page.request(limit, cursor)),
                c -> c.id() + ":" + c.lastSeq() + ":" + c.unreadCount());
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One conversation", description = "Participants only; 404 for anyone else.")
    public Response get(@PathParam("id") String id, @Context Request request) {
        ConversationView c = conversations.get(Callers.of(jwt), Http.id(id, "conversation"));
        return Http.conditional(request, c, new EntityTag(c.lastSeq() + "-" + c.unreadCount()));
    }

    @GET
    @Path("{id}/messages")
    @Operation(summary = "Messages", description = "Newest first; ?before=seq pages back (nextCursor is the seq to pass).")
    public Response messages(@PathParam("id") String id, @QueryParam("before") String before,
            @QueryParam("cursor") String cursor, @QueryParam("limit") String limit, @Context Request request) {
        var page = conversations.messages(Callers.of(jwt), Http.id(id, "conversation"),
                Page.request(seq(before != null ? before : cursor), limit, String::valueOf));
        return Http.conditionalPage(request, page, m -> Long.toString(m.seq()));
    }

    @POST
    @Path("{id}/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send a message", description = "1 to 5000 characters; Idempotency-Key returns the first message.")
    @APIResponse(responseCode = "201", description = "Sent")
    public Response send(@PathParam("id") String id, @Valid @NotNull NewMessage in,
            @HeaderParam("Idempotency-Key") String key) {
        Created<MessageView> sent = conversations.send(Callers.of(jwt), Http.id(id, "conversation"), in.body(), key);
        return Response.status(201)
                .header("Location", "/api/conversations/" + id + "/messages?before=" + (sent.value().seq() + 1))
                .entity(sent.value()).header("Idempotent-Replayed", sent.replayed() ? "true" : null).build();
    }

    @POST
    @Path("{id}/read")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Mark read up to a seq", description = "Read state only moves forward.")
    public ReadState read(@PathParam("id") String id, @Valid @NotNull MarkRead in) {
        return conversations.markRead(Callers.of(jwt), Http.id(id, "conversation"), in.upToSeq());
    }

    private static Long seq(String raw) {
        if (raw == null) {
            return null;
        }
        try {
            long seq = Long.parseLong(raw);
            if (seq >= 1) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw Problem.badRequest("before", "must be a message seq (a positive integer)");
    }
}
