package io.eventline.changerecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

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

    /** Members of an index: a subject and a role each. */
    private record Member(String sub, String role) {
    }

    /** A plain index, kept as the gateway keeps its streams: by subject, by role, and all. */
    private record Members(List<Member> all) implements Audience.Index<Member> {
        @Override
        public void everyone(Consumer<? super Member> sink) {
            all.forEach(sink);
        }

        @Override
        public void withSubject(String sub, Consumer<? super Member> sink) {
            all.stream().filter(m -> m.sub.equals(sub)).forEach(sink);
        }

        @Override
        public void withRole(String role, Consumer<? super Member> sink) {
            all.stream().filter(m -> m.role.equals(role)).forEach(sink);
        }
    }

    @Test
    void routingThroughAnIndexAdmitsExactlyWhomAdmitsAdmits() {
        Random random = new Random(42);
        List<String> roles = List.of("partner", "admin", "user");
        List<Member> people = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            people.add(new Member("u" + i, roles.get(random.nextInt(3))));
        }
        people.add(new Member("u1x", "user")); // a subject that has another as its prefix
        Members index = new Members(people);
        for (int round = 0; round < 2_000; round++) {
            Set<String> entries = new LinkedHashSet<>();
            int n = 1 + random.nextInt(4);
            for (int k = 0; k < n; k++) {
                switch (random.nextInt(7)) {
                    case 0 -> entries.add("public");
                    case 1, 2 -> entries.add("role:" + roles.get(random.nextInt(3)));
                    case 3 -> entries.add("user:nobody" + random.nextInt(3));
                    default -> entries.add("user:u" + random.nextInt(42));
                }
            }
            Audience audience = new Audience(entries);
            Set<Member> routed = new HashSet<>();
            audience.forEachAdmitted(index, routed::add);
            for (Member m : people) {
                assertThat(routed.contains(m)).as("%s routed to %s", audience, m).isEqualTo(audience.admits(m.sub, m.role));
            }
        }
    }

    @Test
    void anAudienceOfTenThousandUsersRoutesToEachOfThemOnce() {
        List<String> subs = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            subs.add("person-" + i);
        }
        Audience audience = Audience.parse(Audience.users(subs).format());
        Map<String, Integer> handed = new java.util.HashMap<>();
        audience.forEachAdmitted(new Audience.Index<String>() {
            @Override
            public void everyone(Consumer<? super String> sink) {
                throw new AssertionError("not public");
            }

            @Override
            public void withSubject(String sub, Consumer<? super String> sink) {
                sink.accept(sub);
            }

            @Override
            public void withRole(String role, Consumer<? super String> sink) {
                throw new AssertionError("names no role");
            }
        }, sub -> handed.merge(sub, 1, Integer::sum));
        assertThat(handed).hasSize(10_000).allSatisfy((sub, times) -> assertThat(times).isEqualTo(1));
        assertThat(audience.admits("person-9999", "user")).isTrue();
        assertThat(audience.admits("person-10000", "user")).isFalse();
    }

    @Test
    void entriesAdmittingACallerAreExactlyTheEntriesThatAdmitThem() {
        Random random = new Random(7);
        List<String> roles = List.of("partner", "admin", "user");
        List<String> subs = List.of("u1", "u1x", "u", "admin", "role:admin", "public", "x,y");
        for (int round = 0; round < 5_000; round++) {
            String sub = subs.get(random.nextInt(subs.size()));
            String role = roles.get(random.nextInt(3));
            Set<String> entries = new LinkedHashSet<>();
            int n = 1 + random.nextInt(4);
            for (int k = 0; k < n; k++) {
                switch (random.nextInt(5)) {
                    case 0 -> entries.add("public");
                    case 1, 2 -> entries.add("role:" + roles.get(random.nextInt(3)));
                    default -> entries.add("user:" + subs.get(random.nextInt(subs.size() - 1))); // not "x,y"
                }
            }
            List<String> admitting = Audience.entriesAdmitting(sub, role);
            for (String e : entries) {
                assertThat(admitting.contains(e)).as("%s among the entries admitting %s/%s", e, sub, role)
                        .isEqualTo(new Audience(Set.of(e)).admits(sub, role));
            }
            Audience audience = new Audience(entries);
            assertThat(admitting.stream().anyMatch(audience.entries()::contains))
                    .as("%s shares an entry with those admitting %s/%s", audience, sub, role)
                    .isEqualTo(audience.admits(sub, role));
        }
        // and every entry that does admit the caller is one it yields, a valid entry
        for (String role : roles) {
            assertThat(Audience.entriesAdmitting("u1", role))
                    .allSatisfy(e -> assertThat(new Audience(Set.of(e)).admits("u1", role)).as(e).isTrue());
        }
    }

    @Test
    void entryHelpersBuildAndReadTheWireFormat() {
        assertThat(Audience.userEntry("alice")).isEqualTo("user:alice");
        assertThat(Audience.roleEntry("admin")).isEqualTo("role:admin");
        assertThat(Audience.user("alice").entries()).containsExactly(Audience.userEntry("alice"));
        assertThat(Audience.role("admin").entries()).containsExactly(Audience.roleEntry("admin"));
        assertThat(Audience.isUserEntry("user:alice")).isTrue();
        assertThat(Audience.isUserEntry("role:admin")).isFalse();
        assertThat(Audience.isUserEntry("public")).isFalse();
        assertThat(Audience.isRoleEntry("role:admin")).isTrue();
        assertThat(Audience.isRoleEntry("user:role:x")).isFalse();
        assertThat(Audience.isRoleEntry("public")).isFalse();
        assertThat(Audience.subjectOf("user:role:x")).isEqualTo("role:x");
        assertThat(Audience.roleOf("role:partner")).isEqualTo("partner");
        assertThatThrownBy(() -> Audience.subjectOf("role:admin")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Audience.roleOf("public")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void subjectsAreTheUserEntriesInWireOrder() {
        Audience a = Audience.users(List.of("zed", "amy", "bo")).and(Audience.role("admin")).and(Audience.PUBLIC);
        assertThat(a.subjects()).containsExactly("amy", "bo", "zed");
        assertThat(Audience.role("admin").subjects()).isEmpty();
        assertThat(Audience.parse(a.format()).subjects()).isEqualTo(a.subjects());
        List<String> many = new ArrayList<>();
        for (int i = 99; i >= 0; i--) {
            many.add(String.format("s%03d", i));
        }
        Audience hundred = Audience.users(many).and(Audience.role("user"));
        assertThat(hundred.subjects()).as("a set's own order is no order").isSorted().hasSize(100)
                .containsExactlyInAnyOrderElementsOf(many);
    }
}
