package io.eventline.http.common;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.eventline.changerecord.Roles;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Applies {@link Roles} to every verified token before any resource sees it, in every service and
 * on the gateway's own resources ({@code /api/me/summary}, {@code /api/stream/tickets}): a token
 * with no Eventline role, two of them, or no usable sub fails authentication (401, like an invalid
 * token), and an accepted one carries exactly its one role, so {@code @RolesAllowed} can never
 * admit a token by another of its groups. The gateway's {@code /api/stream} applies {@link Roles}
 * itself.
 */
@ApplicationScoped
public class RoleRule implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        return Uni.createFrom().item(() -> apply(identity));
    }

    static SecurityIdentity apply(SecurityIdentity identity) {
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
