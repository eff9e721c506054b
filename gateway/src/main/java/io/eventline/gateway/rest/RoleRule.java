package io.eventline.gateway.rest;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.eventline.changefeed.Roles;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@link Roles} for the gateway's own resources ({@code /api/me/summary}, {@code /api/stream/tickets}),
 * as service-http's {@code RoleRule} applies it for the services (the gateway does not depend on
 * service-http): a token that is not one Eventline caller fails authentication (401), and an
 * accepted one carries only its one role. {@code /api/stream} applies {@link Roles} itself.
 */
@ApplicationScoped
public class RoleRule implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return Uni.createFrom().item(() -> apply(identity));
    }

    private static SecurityIdentity apply(SecurityIdentity identity) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return identity;
        }
        String role;
        try {
            role = Roles.of(jwt.getSubject(), jwt.getGroups());
        } catch (Roles.Refused e) {
            throw new AuthenticationFailedException(e.getMessage(), e);
        }
        return QuarkusSecurityIdentity.builder().setPrincipal(jwt).addCredentials(identity.getCredentials())
                .addAttributes(identity.getAttributes()).addRole(role).build();
    }
}
