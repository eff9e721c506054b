package io.eventline.events.rest;

import io.eventline.http.Callers;
import io.eventline.http.Http;
import io.eventline.http.Page;
import io.eventline.http.Problem;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.eventline.events.EventStatus;
import io.eventline.events.service.BookingService;
import io.eventline.events.api.BookingView;
import io.eventline.http.Caller;
import org.eclipse.microprofile.jwt.JsonWebToken;
import io.eventline.events.api.BookingInput;
import io.eventline.events.api.EventInput;
import io.eventline.events.service.EventService;
import io.eventline.http.Created;
import io.eventline.events.api.EventView;
import io.eventline.events.api.RejectInput;
import io.quarkus.security.Authenticated;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;

/** Events: create, edit, the approval workflow, the catalog, a partner's list, the review queue, booking. */
@Path("/api/events")
@Tag(name = "events", description = "Events and their approval workflow")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class EventResource {

    private final EventService events;
    private final BookingService bookings;
    private final JsonWebToken jwt;

    public EventResource(EventService events, BookingService bookings, JsonWebToken jwt) {
        this.events = events;
        this.bookings = bookings;
        this.jwt = jwt;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("partner")
    @Operation(summary = "Create an event", description = "Status DRAFT, or PENDING_APPROVAL when submit is true.")
    @APIResponse(responseCode = "201", description = "Created; Location and ETag set")
    @APIResponse(responseCode = "400", description = "Invalid fields (problem+json with errors)")
    public Response create(@Valid @NotNull EventInput in,
            @Parameter(description = "Repeating a create with the same key returns the first result")
            @HeaderParam("Idempotency-Key") String idempotencyKey) {
        Created<EventView> created = events.create(caller(), in, idempotencyKey);
        EventView e = created.value();
        // A relative Location: the client reaches us through the gateway, not at our own address.
        return Response.status(201).header("Location", "/api/events/" + e.id()).tag(Http.versionTag(e.version())).entity(e)
                .header("Idempotent-Replayed", created.replayed() ? "true" : null).build();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One event", description = "Its partner and admins always; anyone once it was approved.")
    @APIResponse(responseCode = "304", description = "If-None-Match names the current ETag")
    public Response get(@PathParam("id") String id, @Context Request request) {
        EventView e = events.get(caller(), Http.id(id, "event"));
        return Http.conditional(request, e, Http.versionTag(e.version()));
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("partner")
    @Operation(summary = "Replace an event's editable fields", description = "If-Match is required. Before approval "
            + "the change applies at once. Once APPROVED, changes to the title, description, venue, times or category "
            + "wait as a pending revision for an admin (the approved content stays public); capacity applies at once.")
    @APIResponse(responseCode = "412", description = "The ETag in If-Match is stale")
    @APIResponse(responseCode = "428", description = "If-Match is missing")
    public Response update(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @Valid @NotNull EventInput in) {
        EventView e = events.update(caller(), Http.id(id, "event"), Http.ifMatch(ifMatch), in);
        return Response.ok(e).tag(Http.versionTag(e.version())).build();
    }

    @POST
    @Path("{id}/submit")
    @RolesAllowed("partner")
    @Operation(summary = "Submit for approval", description = "DRAFT or REJECTED → PENDING_APPROVAL")
    public Response submit(@PathParam("id") String id) {
        return ok(events.submit(caller(), Http.id(id, "event")));
    }

    @POST
    @Path("{id}/approve")
    @RolesAllowed("admin")
    @Operation(summary = "Approve", description = "PENDING_APPROVAL → APPROVED. With If-Match, only the version reviewed.")
    @APIResponse(responseCode = "412", description = "If-Match names another version than the current one")
    public Response approve(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return ok(events.approve(caller(), Http.id(id, "event"), Http.optionalIfMatch(ifMatch)));
    }

    @POST
    @Path("{id}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @Operation(summary = "Reject with a reason", description = "PENDING_APPROVAL → REJECTED. With If-Match, only the version reviewed.")
    @APIResponse(responseCode = "412", description = "If-Match names another version than the current one")
    public Response reject(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @Valid @NotNull RejectInput in) {
        return ok(events.reject(caller(), Http.id(id, "event"), Http.optionalIfMatch(ifMatch), in.reason().strip()));
    }

    @POST
    @Path("{id}/revision/approve")
    @RolesAllowed("admin")
    @Operation(summary = "Approve a revision", description = "The pending content of an APPROVED event becomes "
            + "its public content. With If-Match, only the version reviewed.")
    @APIResponse(responseCode = "404", description = "The event has no pending revision")
    @APIResponse(responseCode = "412", description = "If-Match names another version than the current one")
    public Response approveRevision(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch) {
        return ok(events.approveRevision(caller(), Http.id(id, "event"), Http.optionalIfMatch(ifMatch)));
    }

    @POST
    @Path("{id}/revision/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    @Operation(summary = "Reject a revision with a reason", description = "The approved content stays as it was; "
            + "the partner sees the rejected revision and the reason. With If-Match, only the version reviewed.")
    @APIResponse(responseCode = "404", description = "The event has no pending revision")
    @APIResponse(responseCode = "412", description = "If-Match names another version than the current one")
    public Response rejectRevision(@PathParam("id") String id, @HeaderParam("If-Match") String ifMatch,
            @Valid @NotNull RejectInput in) {
        return ok(events.rejectRevision(caller(), Http.id(id, "event"), Http.optionalIfMatch(ifMatch),
                in.reason().strip()));
    }

    @POST
    @Path("{id}/cancel")
    @RolesAllowed({ "partner", "admin" })
    @Operation(summary = "Cancel", description = "Any state but CANCELLED; its confirmed bookings are cancelled too.")
    public Response cancel(@PathParam("id") String id) {
        return ok(events.cancel(caller(), Http.id(id, "event")));
    }

    @GET
    @Operation(summary = "The catalog", description = "APPROVED events that have not ended, soonest first.")
    public Response catalog(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @Context Request request) {
        return Http.conditionalPage(request, events.catalog(Page.request(limit, cursor)), e -> e.id() + ":" + e.version());
    }

    @GET
    @Path("mine")
    @RolesAllowed("partner")
    @Operation(summary = "The caller's events", description = "Any status, newest first; ?status= filters.")
    public Response mine(@QueryParam("status") String status, @QueryParam("limit") String limit,
            @QueryParam("cursor") String cursor, @Context Request request) {
        return Http.conditionalPage(request, events.mine(caller(), status(status), Page.request(limit, cursor)),
                e -> e.id() + ":" + e.version());
    }

    @GET
    @Path("counts")
    @Operation(summary = "Events by status", description = "A partner's own; for an admin, all; for a user, none.")
    public java.util.Map<String, Long> counts() {
        return events.countsByStatus(caller());
    }

    @GET
    @Path("review")
    @RolesAllowed("admin")
    @Operation(summary = "The review queue", description = "PENDING_APPROVAL events and APPROVED events with a pending "
            + "revision, oldest submission first.")
    public Response review(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @Context Request request) {
        return Http.conditionalPage(request, events.reviewQueue(Page.request(limit, cursor)),
                e -> e.id() + ":" + e.version());
    }

    @POST
    @Path("{id}/bookings")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("user")
    @Tag(name = "bookings")
    @Operation(summary = "Book seats", description = "1 to 10 seats; 409 when the event is not APPROVED or too few are left.")
    @APIResponse(responseCode = "201", description = "Booked (or the earlier result for this Idempotency-Key)")
    @APIResponse(responseCode = "409", description = "Not bookable, or not enough seats left")
    public Response book(@PathParam("id") String id, @Valid @NotNull BookingInput in,
            @HeaderParam("Idempotency-Key") String idempotencyKey) {
        Created<BookingView> created = bookings.book(caller(), Http.id(id, "event"), in.seats(), idempotencyKey);
        BookingView b = created.value();
        return Response.status(201).header("Location", "/api/bookings/" + b.id()).tag(Http.versionTag(b.version())).entity(b)
                .header("Idempotent-Replayed", created.replayed() ? "true" : null).build();
    }

    private static Response ok(EventView e) {
        return Response.ok(e).tag(Http.versionTag(e.version())).build();
    }

    private static EventStatus status(String raw) {
        if (raw == null) {
            return null;
        }
        try {
            return EventStatus.valueOf(raw);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("status", "must be one of " + java.util.Arrays.toString(EventStatus.values()));
        }
    }

    private Caller caller() {
        return Callers.of(jwt);
    }
}
