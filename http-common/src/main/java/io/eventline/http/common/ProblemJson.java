package io.eventline.http.common;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem as the gateway and every service answer it (docs/api.md, "Errors"), for a
 * Vert.x route ({@link #send}) and for JAX-RS ({@link #response}): the one place that knows the
 * media type, the members and their order, and the type rule.
 *
 * <p>Members: {@code type}, {@code title}, {@code status}, {@code detail}; {@code errors} (the
 * {@code {field, message}} list of a validation problem) when there are any; then extension
 * members. The {@code type} is {@value #TYPE_BASE} and the title in lower case with a hyphen for
 * each space: "Invalid request" is {@code .../invalid-request}. A problem more specific than its
 * title may name its own slug with {@link #type(String)}.
 */
public final class ProblemJson {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://eventline.dev/problems/";

    private final int status;
    private final String title;
    private final String detail;
    private String slug;
    private Collection<?> errors;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    private ProblemJson(int status, String title, String detail) {
        this.status = status;
        this.title = title;
        this.detail = detail;
        this.slug = slug(title);
    }

    public static ProblemJson of(int status, String title, String detail) {
        return new ProblemJson(status, title, detail);
    }

    /** The type's last segment for a title: lower case, a hyphen for each space. */
    public static String slug(String title) {
        return title.toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    /** A slug of its own instead of the title's, for a problem more specific than its title. */
    public ProblemJson type(String slug) {
        this.slug = slug;
        return this;
    }

    /** The field errors of a validation problem; none (null or empty) leaves the member out. */
    public ProblemJson errors(Collection<?> errors) {
        this.errors = errors;
        return this;
    }

    /** An extension member, after the standard ones ({@code currentVersion}, say). */
    public ProblemJson with(String member, Object value) {
        extensions.put(member, value);
        return this;
    }

    /** A response header that goes with the problem ({@code WWW-Authenticate}, {@code Retry-After}). */
    public ProblemJson header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
    }

    /** The members, in order. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (errors != null && !errors.isEmpty()) {
            body.put("errors", errors);
        }
        body.putAll(extensions);
        return body;
    }

    /** The body as JSON text. */
    public String encode() {
        return new JsonObject(body()).encode();
    }

    /** Answers a Vert.x route with this problem, unless the response has already ended or closed. */
    public void send(RoutingContext rc) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed()) {
            return;
        }
        headers.forEach(response::putHeader);
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, MEDIA_TYPE).end(encode());
    }

    /** The JAX-RS answer: the body as an entity for the JSON provider. */
    public Response response() {
        Response.ResponseBuilder response = Response.status(status).type(MEDIA_TYPE).entity(body());
        headers.forEach(response::header);
        return response.build();
    }
}
