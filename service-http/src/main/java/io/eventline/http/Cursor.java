package io.eventline.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;


/**
 * A keyset position: the sort value and id of the last row of a page, opaque to clients
 * ({@code base64url("<epoch-micros>:<uuid>")}). A cursor that does not decode is a 400; lists read
 * it with {@link Page#request}.
 */
public record Cursor(Instant at, UUID id) {

    /** Longer than any cursor {@link #encode} makes (at most 76 characters): refused unread. */
    static final int MAX_LENGTH = 100;

    public String encode() {
        long micros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1_000;
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
    }

    public static Cursor decode(String cursor) {
        try {
            if (cursor.length() <= MAX_LENGTH) {
                String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
                int colon = raw.indexOf(':');
                long micros = Long.parseLong(raw.substring(0, colon));
                return new Cursor(Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                        Math.floorMod(micros, 1_000_000) * 1_000L), UUID.fromString(raw.substring(colon + 1)));
            }
        } catch (RuntimeException e) {
            // falls through
        }
        throw Problem.badRequest("cursor", "not a cursor this API returned");
    }
}
