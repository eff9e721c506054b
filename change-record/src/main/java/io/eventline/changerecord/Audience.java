package io.eventline.changerecord;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Who may see a change record: {@code user:<sub>}, {@code role:<role>} and {@code public}
 * entries, carried as the {@code ce_audience} extension (comma-separated). The owning service
 * computes it; nobody downstream widens it.
 */
public record Audience(Set<String> entries) {

    // Declared first: the constants below are built with it.
    private static final Pattern ENTRY = Pattern.compile("public|role:(partner|admin|user)|user:[^,\\s]{1,200}");

    public static final String PUBLIC_ENTRY = "public";
    private static final String USER = "user:";
    private static final String ROLE = "role:";
    public static final Set<String> ROLES = Set.of("partner", "admin", "user");
    public static final Audience PUBLIC = new Audience(Set.of(PUBLIC_ENTRY));


    public Audience {
        if (entries == null || entries.isEmpty()) {
            throw new IllegalArgumentException("an audience names at least one entry");
        }
        for (String entry : entries) {
            if (entry == null || !ENTRY.matcher(entry).matches()) {
                throw new IllegalArgumentException("not an audience entry: '" + entry + "'");
            }
        }
        entries = Set.copyOf(new LinkedHashSet<>(entries));
    }

    public static Audience users(Collection<String> subs) {
        return new Audience(subs.stream().map(Audience::userEntry).collect(Collectors.toCollection(LinkedHashSet::new)));
    }

    public static Audience user(String sub) {
        return new Audience(Set.of(userEntry(sub)));
    }

    public static Audience role(String role) {
        return new Audience(Set.of(roleEntry(role)));
    }

    /*
     * The entry format, here and nowhere else: code that stores or compares single entries (a
     * notification's recipient, say) builds and reads them with these.
     */

    /** The entry naming one user: {@code user:<sub>}. */
    public static String userEntry(String sub) {
        return USER + sub;
    }

    /** The entry naming every user with a role: {@code role:<role>}. */
    public static String roleEntry(String role) {
        return ROLE + role;
    }

    /** Whether {@code entry} names a user ({@code user:<sub>}). */
    public static boolean isUserEntry(String entry) {
        return entry.startsWith(USER);
    }

    /** Whether {@code entry} names a role ({@code role:<role>}). */
    public static boolean isRoleEntry(String entry) {
        return entry.startsWith(ROLE);
    }

    /** The subject a user entry names; throws {@link IllegalArgumentException} for any other entry. */
    public static String subjectOf(String entry) {
        if (!isUserEntry(entry)) {
            throw new IllegalArgumentException("not a user entry: '" + entry + "'");
        }
        return entry.substring(USER.length());
    }

    /** The role a role entry names; throws {@link IllegalArgumentException} for any other entry. */
    public static String roleOf(String entry) {
        if (!isRoleEntry(entry)) {
            throw new IllegalArgumentException("not a role entry: '" + entry + "'");
        }
        return entry.substring(ROLE.length());
    }

    /** The subjects this audience's user entries name, in wire (sorted) order; its roles and public aside. */
    public List<String> subjects() {
        return entries.stream().filter(Audience::isUserEntry).sorted().map(Audience::subjectOf).toList();
    }

    /** This audience plus another's entries. */
    public Audience and(Audience other) {
        Set<String> all = new LinkedHashSet<>(entries);
        all.addAll(other.entries);
        return new Audience(all);
    }

    /** Parses the wire form; throws {@link IllegalArgumentException} on anything malformed. */
    public static Audience parse(String header) {
        if (header == null || header.isBlank()) {
            throw new IllegalArgumentException("the audience is missing");
        }
        return new Audience(Arrays.stream(header.split(",")).map(String::trim)
                .collect(Collectors.toCollection(LinkedHashSet::new)));
    }

    /*
     * The rule that keeps users' data apart, in its three forms, here and nowhere else: asked of one
     * caller (admits), asked of an index of many (forEachAdmitted), and turned round into the entries
     * that admit one caller (entriesAdmitting). AudienceTest checks that they agree.
     */

    /** Whether a caller with this subject and role may see the record. */
    public boolean admits(String sub, String role) {
        return entries.contains(PUBLIC_ENTRY) || entries.contains(USER + sub) || entries.contains(ROLE + role);
    }

    /**
     * The other side of {@link #admits}, for a store that keeps one entry per row and asks which
     * rows a caller may see ({@code recipient in (...)}): every entry that admits a caller with this
     * subject and role, namely its user entry, its role entry and {@code public}. For every entry
     * {@code e}, {@code entriesAdmitting(sub, role).contains(e)} exactly when
     * {@code new Audience(Set.of(e)).admits(sub, role)}; AudienceTest checks it.
     */
    public static List<String> entriesAdmitting(String sub, String role) {
        return List.of(userEntry(sub), roleEntry(role), PUBLIC_ENTRY);
    }

    /**
     * Hands {@code sink} every member of {@code index} that this audience admits: everyone when it
     * is public, otherwise the members of each subject and role it names. A member named twice (by
     * its subject and by its role) is handed twice; the sink de-duplicates if it must.
     */
    public <T> void forEachAdmitted(Index<T> index, Consumer<? super T> sink) {
        if (entries.contains(PUBLIC_ENTRY)) {
            index.everyone(sink);
            return;
        }
        for (String entry : entries) {
            if (entry.startsWith(USER)) {
                index.withSubject(entry.substring(USER.length()), sink);
            } else if (entry.startsWith(ROLE)) {
                index.withRole(entry.substring(ROLE.length()), sink);
            }
        }
    }

    /** Members (streams, connections…) kept by subject and role, for {@link #forEachAdmitted}. */
    public interface Index<T> {
        void everyone(Consumer<? super T> sink);

        void withSubject(String sub, Consumer<? super T> sink);

        void withRole(String role, Consumer<? super T> sink);
    }

    /** The wire form, entries sorted so equal audiences serialise equally. */
    public String format() {
        return entries.stream().sorted().collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return format();
    }
}
