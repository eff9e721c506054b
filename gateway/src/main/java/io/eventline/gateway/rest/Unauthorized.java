package io.eventline.gateway.rest;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.eventline.changefeed.Roles;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;

/** The gateway's own 401s, 403s and other HTTP errors of its REST endpoints as problem+json, like every service's. */
public class Unauthorized {

    @ServerExceptionMapper
    public Response web(jakarta.ws.rs.WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type == null ? "Error" : type.getReasonPhrase();
        return Response.status(status).type("application/problem+json")
                .entity(new io.vertx.core.json.JsonObject().put("type", "https://eventline.dev/problems/http-" + status)
                        .put("title", title).put("status", status).put("detail", title).encode())
                .build();
    }

    @ServerExceptionMapper({ jakarta.ws.rs.ForbiddenException.class, io.quarkus.security.ForbiddenException.class })
    public Response forbidden(Exception e) {
        return Response.status(403).type("application/problem+json")
                .entity("{\"type\":\"https://eventline.dev/problems/forbidden\",\"title\":\"Forbidden\","
                        + "\"status\":403,\"detail\":\"this token may not do that\"}")
                .build();
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(Exception e) {
        // A verified token that names no single Eventline role or no usable sub says why (Roles).
        String detail = e.getCause() instanceof Roles.Refused refused ? refused.getMessage() : "a valid bearer token is required";
        return Response.status(401).type("application/problem+json").header("WWW-Authenticate", "Bearer")
                .entity(new io.vertx.core.json.JsonObject().put("type", "https://eventline.dev/problems/unauthorized")
                        .put("title", "Unauthorized").put("status", 401).put("detail", detail).encode())
                .build();
    }
}
