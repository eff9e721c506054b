package io.eventline.gateway.rest;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.eventline.changerecord.Roles;
import io.eventline.gateway.stream.Identity;
import io.eventline.gateway.stream.StreamService;
import io.quarkus.security.Authenticated;
import io.quarkus.security.AuthenticationFailedException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code POST /api/stream/tickets}: a single-use ticket for {@code GET /api/stream?ticket=}. */
@Path("/api/stream/tickets")
@Tag(name = "stream", description = "The caller's live stream")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class TicketResource {

    public record Ticket(String ticket, long expiresIn) {
    }

    private final JsonWebToken jwt;
    private final StreamService streams;

    public TicketResource(JsonWebToken jwt, StreamService streams) {
        this.jwt = jwt;
        this.streams = streams;
    }

    @POST
    @Operation(summary = "A stream ticket", description = "Valid once, for expiresIn seconds, for GET /api/stream?ticket= "
            + "(a browser EventSource cannot send an Authorization header). The stream it opens still ends when the "
            + "token that asked for the ticket expires.")
    public Ticket issue() {
        String role;
        try {
            role = Roles.of(jwt.getSubject(), jwt.getGroups()); // RoleRule has refused such a token already
        } catch (Roles.Refused e) {
            throw new AuthenticationFailedException(e.getMessage(), e);
        }
        return new Ticket(streams.issueTicket(new Identity(jwt.getSubject(), role, jwt.getExpirationTime() * 1000)),
                streams.ticketTtlSeconds());
    }
}
