package io.eventline.changerecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

class RolesTest {

    @Test
    void exactlyOneEventlineRoleIsTheRoleAndOtherGroupsAreIgnored() {
        assertThat(Roles.of("pat", Set.of("partner"))).isEqualTo("partner");
        assertThat(Roles.of("uma", List.of("staff", "user", "offline_access"))).isEqualTo("user");
    }

    @Test
    void twoRolesAreRefusedInEveryOrder() {
        for (List<String> groups : List.of(List.of("admin", "user"), List.of("user", "admin"), List.of("partner", "admin", "x"))) {
            assertThatThrownBy(() -> Roles.of("mallory", groups)).isInstanceOf(Roles.Refused.class)
                    .hasMessageContaining("exactly one is required");
        }
    }

    @Test
    void noRoleOrAnUnknownOneIsRefused() {
        assertThatThrownBy(() -> Roles.of("mallory", List.of())).isInstanceOf(Roles.Refused.class);
        assertThatThrownBy(() -> Roles.of("mallory", null)).isInstanceOf(Roles.Refused.class);
        assertThatThrownBy(() -> Roles.of("mallory", List.of("superadmin", "Admin", "role:admin")))
                .isInstanceOf(Roles.Refused.class).hasMessageContaining("no Eventline role");
    }

    @Test
    void aSubThatCannotNameAUserInAnAudienceIsRefused() {
        for (String sub : new String[] { null, "", "  ", "a,b", "a b", "x".repeat(201) }) {
            assertThatThrownBy(() -> Roles.of(sub, List.of("user"))).as("sub %s", sub).isInstanceOf(Roles.Refused.class);
        }
        String longest = "x".repeat(200);
        assertThat(Roles.of(longest, List.of("user"))).isEqualTo("user");
        assertThat(Audience.user(longest).admits(longest, "user")).isTrue();
    }
}
