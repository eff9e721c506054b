package io.eventline.gateway.stream;

/** Who a stream is for, from a bearer token or a ticket, and when it must end. */
public record Identity(String sub, String role, long expiresAtMillis) {
}
