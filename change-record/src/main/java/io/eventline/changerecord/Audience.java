package io.eventline.changerecord;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
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
        return new Audience(subs.stream().map(s -> "user:" + s).collect(Collectors.toCollection(LinkedHashSet::new)));
    }

    public static Audience user(String sub) {
        return new Audience(Set.of("user:" + sub));
    }

    public static Audience role(String role) {
        return new Audience(Set.of("role:" + role));
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

    /** Whether a caller with this subject and role may see the record. */
    public boolean admits(String sub, String role) {
        return entries.contains(PUBLIC_ENTRY) || entries.contains("user:" + sub) || entries.contains("role:" + role);
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
