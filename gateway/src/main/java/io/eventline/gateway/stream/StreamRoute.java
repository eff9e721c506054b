package io.eventline.gateway.stream;

import java.util.List;
import java.util.Locale;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.eventline.changerecord.Roles;
import io.eventline.gateway.Problems;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * {@code GET /api/stream}: authenticates (bearer token or ticket), applies the limits and hands
 * the response to {@link StreamService}. Everything that goes wrong before the stream opens is
 * a problem+json 4xx or 503; nothing here blocks the event loop (the token's signature is checked
 * on a worker).
 */
@ApplicationScoped
public class StreamRoute {

    private static final int MAX_TOKEN_LENGTH = 8192;

    private final StreamService streams;
    private final JWTParser jwt;

    public StreamRoute(StreamService streams, JWTParser jwt) {
        this.streams = streams;
        this.jwt = jwt;
    }

    void install(@Observes Router router) {
        router.route("/api/stream").order(-20).handler(this::handle);
    }

    private void handle(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (request.method() != HttpMethod.GET) {
            rc.response().putHeader(HttpHeaders.ALLOW, "GET");
            problem(rc, 405, "method-not-allowed", "Method not allowed", "the stream is opened with GET");
            return;
        }
        if (hasBody(request)) {
            problem(rc, 400, "bad-request", "Bad request", "GET /api/stream takes no request body");
            return;
        }
        List<String> tickets;
        try {
            tickets = request.params().getAll("ticket"); // decodes the whole query once; later reads reuse it
        } catch (IllegalArgumentException e) { // a bad %-escape: the client's fault, not a 500
            problem(rc, 400, "bad-request", "Bad request", "the query string is not valid percent-encoding");
            return;
        }
        Frames frames = Frames.of(request.params().getAll("frames"));
        if (frames == null) { // before the ticket is redeemed: a bad request does not use it up
            problem(rc, 400, "bad-request", "Bad request", "frames is typed (the default) or record, not both");
            return;
        }
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (tickets.size() > 1) {
            problem(rc, 400, "bad-request", "Bad request", "at most one ticket");
            return;
        }
        if (!tickets.isEmpty()) {
            Identity identity = streams.redeemTicket(tickets.get(0));
            if (identity == null) {
                unauthorized(rc, "the ticket is invalid, expired or already used: get a new one from POST /api/stream/tickets");
                return;
            }
            open(rc, identity, frames);
            return;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.length() > MAX_TOKEN_LENGTH) {
            unauthorized(rc, "a bearer token or a ticket (?ticket=) is required");
            return;
        }
        String token = authorization.substring(7).trim();
        rc.vertx().<JsonWebToken> executeBlocking(() -> jwt.parse(token), false).onComplete(result -> {
            if (result.failed()) {
                unauthorized(rc, "the token is not valid");
                return;
            }
            JsonWebToken parsed = result.result();
            String role;
            try {
                role = Roles.of(parsed.getSubject(), parsed.getGroups());
            } catch (Roles.Refused e) { // the same 401 as on the API (RoleRule)
                unauthorized(rc, e.getMessage());
                return;
            }
            open(rc, new Identity(parsed.getSubject(), role, parsed.getExpirationTime() * 1000), frames);
        });
    }

    private void open(RoutingContext rc, Identity identity, Frames frames) {
        HttpServerResponse response = rc.response();
        if (response.closed() || response.ended()) {
            return;
        }
        String lastEventId = rc.request().getHeader("Last-Event-ID");
        if (lastEventId == null) {
            lastEventId = rc.request().getParam("lastEventId");
        }
        StreamService.Refusal refusal = streams.open(identity, frames, response, rc.request().connection(), lastEventId);
        if (refusal == null) {
            // The request lives as long as the stream: let go of what it no longer needs (the token
            // alone is most of an idle stream's memory otherwise).
            rc.request().headers().clear();
            return;
        }
        switch (refusal) {
            case NOT_READY -> {
                response.putHeader("Retry-After", "2");
                problem(rc, 503, "stream-unavailable", "Service unavailable",
                        "this gateway is still catching up with the change topics: retry");
            }
            case INSTANCE_FULL -> {
                response.putHeader("Retry-After", "2");
                problem(rc, 503, "stream-unavailable", "Service unavailable",
                        "this gateway holds as many streams as it may: retry, possibly on another instance");
            }
            case TOO_MANY_FOR_USER -> {
                response.putHeader("Retry-After", "5");
                problem(rc, 429, "too-many-streams", "Too many streams",
                        "at most " + streams.config().maxStreamsPerUser() + " open streams per user: close a tab");
            }
            case TOKEN_EXPIRED -> unauthorized(rc, "the token has expired");
        }
    }

    private static boolean hasBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && !length.trim().equals("0")) {
            return true;
        }
        String te = request.getHeader(HttpHeaders.TRANSFER_ENCODING);
        return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
    }

    private static void unauthorized(RoutingContext rc, String detail) {
        rc.response().putHeader("WWW-Authenticate", "Bearer");
        problem(rc, 401, "unauthorized", "Unauthorized", detail);
    }

    static void problem(RoutingContext rc, int status, String type, String title, String detail) {
        Problems.send(rc, status, type, title, detail);
    }
}
