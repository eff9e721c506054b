package io.eventline.http;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.eventline.changerecord.Roles;
import io.quarkus.security.AuthenticationFailedException;

/** The authenticated caller from the request's token: its sub and its one role, by {@link Roles}. */
public final class Callers {

    private Callers() {
    }

    /**
     * http-common's {@link io.eventline.http.common.RoleRule} has already refused a token that is not
     * an Eventline caller; this applies the same rule again so that no caller is ever built with a
     * null sub or an ambiguous role.
     */
    public static Caller of(JsonWebToken jwt) {
        String role;
        try {
            role = Roles.of(jwt.getSubject(), jwt.getGroups());
        } catch (Roles.Refused e) {
            throw new AuthenticationFailedException(e.getMessage(), e);
        }
        String name = jwt.getClaim("name");
        return new Caller(jwt.getSubject(), role, name == null ? jwt.getSubject() : name);
    }
}
