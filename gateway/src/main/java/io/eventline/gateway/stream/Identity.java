package io.eventline.gateway.stream;

/** Who a stream is for, from a bearer token or a ticket, and when it must end; the role is decided by {@code Roles}. */
public record Identity(String sub, String role, long expiresAtMillis) {
}
