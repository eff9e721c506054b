package io.eventline.http;

/** Who is calling: the token's {@code sub}, its single role and display name. Never from a body. */
public record Caller(String sub, String role, String name) {

    public boolean isAdmin() {
        return "admin".equals(role);
    }
}
