package io.eventline.http;

import org.eclipse.microprofile.jwt.JsonWebToken;


/** The authenticated caller from the request's token; the role is the token's only group. */
public final class Callers {

    private Callers() {
    }

    public static Caller of(JsonWebToken jwt) {
        String role = jwt.getGroups() == null || jwt.getGroups().size() != 1 ? "" : jwt.getGroups().iterator().next();
        String name = jwt.getClaim("name");
        return new Caller(jwt.getSubject(), role, name == null ? jwt.getSubject() : name);
    }
}
