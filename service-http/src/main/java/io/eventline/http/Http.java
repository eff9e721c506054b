package io.eventline.http;

import java.util.HexFormat;
import java.util.UUID;

import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;

/** The HTTP conventions every resource here shares: ids, ETags and conditional requests (lists: {@link Page}). */
public final class Http {

    private Http() {
    }

    /** A path id; one that is not a UUID names nothing, so it is a 404 (never a 500). */
    public static UUID id(String raw, String what) {
        try {
            if (raw.length() == 36) {
                return UUID.fromString(raw);
            }
        } catch (IllegalArgumentException e) {
            // falls through
        }
        throw Problem.notFound(what + " " + (raw.length() > 64 ? raw.substring(0, 64) + "…" : raw));
    }

    /** A version no resource has: what a garbled {@code If-Match} compares as, so it answers 412. */
    public static final long NO_VERSION = -1;

    /**
     * The version in an {@code If-Match} header: 428 without one; a tag that is not a version
     * number is {@link #NO_VERSION}, which never matches, so the caller answers 412 with the real
     * current version.
     */
    public static long ifMatch(String header) {
        if (header == null || header.isBlank()) {
            throw Problem.preconditionRequired();
        }
        String tag = header.strip();
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        try {
            return Long.parseLong(tag.replace("\"", ""));
        } catch (NumberFormatException e) {
            return NO_VERSION;
        }
    }

    /** Like {@link #ifMatch}, for an operation where the condition is optional: null without one. */
    public static Long optionalIfMatch(String header) {
        return header == null || header.isBlank() ? null : ifMatch(header);
    }

    public static EntityTag versionTag(long version) {
        return new EntityTag(Long.toString(version));
    }

    /** 200 with an ETag, or 304 when {@code If-None-Match} already names it. */
    public static Response conditional(Request request, Object entity, EntityTag tag) {
        Response.ResponseBuilder notModified = request.evaluatePreconditions(tag);
        if (notModified != null) {
            Response answer = notModified.tag(tag).build();
            if (answer.getStatus() == 412) { // an If-Match on a read that does not match: say so as a problem
                return Response.fromResponse(ProblemMapper.respond(new Problem(412, "Precondition failed",
                        "If-Match does not name the current version, " + tag, java.util.List.of()))).tag(tag).build();
            }
            return answer;
        }
        return Response.ok(entity).tag(tag).build();
    }

    /** A list's ETag: a digest of its items' ids and versions and the next cursor. */
    public static <T> Response conditionalPage(Request request, Page<T> page, java.util.function.Function<T, String> idAndVersion) {
        StringBuilder s = new StringBuilder();
        page.items().forEach(i -> s.append(idAndVersion.apply(i)).append(';'));
        s.append(page.nextCursor());
        byte[] digest;
        try {
            digest = java.security.MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return conditional(request, page, new EntityTag("l-" + HexFormat.of().formatHex(digest, 0, 12)));
    }
}
