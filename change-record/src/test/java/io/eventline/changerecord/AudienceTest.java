package io.eventline.changerecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class AudienceTest {

    @Test
    void admitsTheNamedUserTheNamedRoleAndEveryoneForPublic() {
        Audience a = Audience.user("alice").and(Audience.role("admin"));
        assertThat(a.admits("alice", "partner")).isTrue();
        assertThat(a.admits("bob", "admin")).isTrue();
        assertThat(a.admits("bob", "partner")).isFalse();
        assertThat(Audience.PUBLIC.admits("anyone", "user")).isTrue();
    }

    @Test
    void aUserEntryIsNotAPrefixMatch() {
        assertThat(Audience.user("al").admits("alice", "user")).isFalse();
        assertThat(Audience.parse("user:alice").admits("al", "user")).isFalse();
    }

    @Test
    void wireFormIsSortedAndParsesBack() {
        Audience a = Audience.users(List.of("zed", "amy")).and(Audience.role("admin"));
        assertThat(a.format()).isEqualTo("role:admin,user:amy,user:zed");
        assertThat(Audience.parse(a.format())).isEqualTo(a);
    }

    @Test
    void rejectsEmptyAndUnknownEntries() {
        assertThatThrownBy(() -> Audience.parse(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Audience.parse("role:root")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Audience.parse("user:alice, ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Audience.parse("*")).isInstanceOf(IllegalArgumentException.class);
    }
}
