package io.eventline.gateway.rest;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;

/** The gateway's own 401s as problem+json, like every service's. */
public class Unauthorized {

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(Exception e) {
        return Response.status(401).type("application/problem+json").header("WWW-Authenticate", "Bearer")
                .entity("{\"type\":\"https://eventline.dev/problems/unauthorized\",\"title\":\"Unauthorized\","
                        + "\"status\":401,\"detail\":\"a valid bearer token is required\"}")
                .build();
    }
}
