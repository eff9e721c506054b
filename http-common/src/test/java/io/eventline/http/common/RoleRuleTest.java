package io.eventline.http.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.junit.jupiter.api.Test;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;

/** The role rule on a verified token: one Eventline role is the identity's only role; none or two fail authentication. */
class RoleRuleTest {

    @Test
    void anAcceptedTokenCarriesOnlyItsOneEventlineRole() {
        SecurityIdentity identity = RoleRule.apply(verified("pat", "partner", "staff"));
        assertThat(identity.getRoles()).containsExactly("partner");
        assertThat(identity.getPrincipal().getName()).isEqualTo("pat");
        assertThat(identity.getAttributes()).containsEntry("seen", "by the verifier");
    }

    @Test
    void aTokenWithTwoRolesNoRoleOrNoSubFailsAuthentication() {
        assertThatThrownBy(() -> RoleRule.apply(verified("pat", "admin", "user")))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("2 Eventline roles");
        assertThatThrownBy(() -> RoleRule.apply(verified("pat", "superadmin")))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("no Eventline role");
        assertThatThrownBy(() -> RoleRule.apply(verified(null, "user")))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("no sub");
    }

    @Test
    void anAnonymousIdentityIsLeftAlone() {
        SecurityIdentity anonymous = QuarkusSecurityIdentity.builder().setAnonymous(true).build();
        assertThat(RoleRule.apply(anonymous)).isSameAs(anonymous);
    }

    /** What the JWT verifier hands on: the token as principal, with its groups as roles. */
    private static SecurityIdentity verified(String sub, String... groups) {
        JsonWebToken jwt = new Token(sub == null ? Map.of("groups", Set.of(groups))
                : Map.of("sub", sub, "groups", Set.of(groups)));
        return QuarkusSecurityIdentity.builder().setPrincipal(jwt).addRoles(Set.of(groups))
                .addAttribute("seen", "by the verifier").build();
    }

    private record Token(Map<String, Object> claims) implements JsonWebToken {

        @Override
        public String getName() {
            return (String) claims.get("sub");
        }

        @Override
        public Set<String> getClaimNames() {
            return claims.keySet();
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getClaim(String name) {
            return (T) claims.get(name);
        }
    }
}
