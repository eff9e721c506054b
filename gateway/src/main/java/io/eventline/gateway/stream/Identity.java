package io.eventline.gateway.stream;

/** Who a stream is for, from a bearer token or a ticket, and when it must end. */
public record Identity(String sub, String role, long expiresAtMillis) {

    /** The caller's role: the first of the token's groups that is one of partner, admin, user; null if none. */
    public static String roleOf(java.util.Collection<String> groups) {
        return groups == null ? null
                : groups.stream().filter(io.eventline.changefeed.Audience.ROLES::contains).findFirst().orElse(null);
    }
}
