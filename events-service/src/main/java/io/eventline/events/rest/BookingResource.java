package io.eventline.events.rest;

import io.eventline.http.Callers;
import io.eventline.http.Http;
import io.eventline.http.Page;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.eventline.events.service.BookingService;
import io.eventline.events.api.BookingCount;
import io.eventline.events.api.BookingView;
import io.eventline.http.Caller;
import org.eclipse.microprofile.jwt.JsonWebToken;
import io.quarkus.security.Authenticated;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;

/** A user's bookings (creating one is {@code POST /api/events/{id}/bookings}). */
@Path("/api/bookings")
@Tag(name = "bookings", description = "Seats users hold at events")
@Produces(MediaType.APPLICATION_JSON)
@Authenticated
public class BookingResource {

    private final BookingService bookings;
    private final JsonWebToken jwt;

    public BookingResource(BookingService bookings, JsonWebToken jwt) {
        this.bookings = bookings;
        this.jwt = jwt;
    }

    @GET
    @Path("mine")
    @RolesAllowed("user")
    @Operation(summary = "The caller's bookings", description = "Newest first, each with its event's title, venue, times and status.")
    public Response mine(@QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
            @Context Request request) {
        return Http.conditionalPage(request, bookings.mine(caller(), Page.request(limit, cursor)),
                b -> b.id() + ":" + b.version() + ":" + b.event().status());
    }

    @GET
    @Path("count")
    @Operation(summary = "How many confirmed bookings the caller holds")
    public BookingCount count() {
        return new BookingCount(bookings.confirmedCount(caller()));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "One booking", description = "Its user, the event's partner and admins.")
    public Response get(@PathParam("id") String id, @Context Request request) {
        BookingView b = bookings.get(caller(), Http.id(id, "booking"));
        return Http.conditional(request, b, Http.versionTag(b.version()));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed("user")
    @Operation(summary = "Cancel a booking", description = "Only its user; the seats are released.")
    public Response cancel(@PathParam("id") String id) {
        BookingView b = bookings.cancel(caller(), Http.id(id, "booking"));
        return Response.ok(b).tag(Http.versionTag(b.version())).build();
    }

    private Caller caller() {
        return Callers.of(jwt);
    }
}
