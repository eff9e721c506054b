package io.eventline.gateway.rest;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.eventline.changerecord.Roles;
import io.eventline.http.common.ProblemJson;
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
        return ProblemJson.of(status, title, title).response();
    }

    @ServerExceptionMapper({ jakarta.ws.rs.ForbiddenException.class, io.quarkus.security.ForbiddenException.class })
    public Response forbidden(Exception e) {
        return ProblemJson.of(403, "Forbidden", "this token may not do that").response();
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(Exception e) {
        // A verified token that names no single Eventline role or no usable sub says why (Roles).
        String detail = e.getCause() instanceof Roles.Refused refused ? refused.getMessage() : "a valid bearer token is required";
        return ProblemJson.of(401, "Unauthorized", detail).header("WWW-Authenticate", "Bearer").response();
    }
}
