package io.eventline.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.eventline.http.common.ProblemJson;

/**
 * An RFC 9457 problem to answer with, thrown from a resource: {@code status}, {@code title},
 * {@code detail}, {@code errors} (field errors) and extension members. {@link ProblemJson} makes
 * the body ({@code type} from the title) and {@link ProblemMapper} the answer.
 */
public class Problem extends RuntimeException {

    /** One invalid field. */
    public record FieldError(String field, String message) {
    }

    public final int status;
    public final String title;
    public final List<FieldError> errors;
    public final Map<String, Object> extensions = new LinkedHashMap<>();

    public Problem(int status, String title, String detail, List<FieldError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = errors;
    }

    public Problem with(String member, Object value) {
        extensions.put(member, value);
        return this;
    }

    public static Problem badRequest(String field, String message) {
        return new Problem(400, "Invalid request", field + ": " + message, List.of(new FieldError(field, message)));
    }

    public static Problem notFound(String what) {
        return new Problem(404, "Not found", what + " does not exist or is not visible to you", List.of());
    }

    public static Problem forbidden(String detail) {
        return new Problem(403, "Forbidden", detail, List.of());
    }

    public static Problem conflict(String detail) {
        return new Problem(409, "Conflict", detail, List.of());
    }

    public static Problem preconditionRequired() {
        return new Problem(428, "Precondition required",
                "send If-Match with the ETag you last saw, so a concurrent change is not overwritten", List.of());
    }

    public static Problem preconditionFailed(long current) {
        return new Problem(412, "Precondition failed",
                "the resource changed since you read it (it is now at version " + current + "); reload it", List.of())
                .with("currentVersion", current);
    }

    public static Problem unprocessable(String detail) {
        return new Problem(422, "Unprocessable request", detail, List.of());
    }

    /** The problem+json answer to give. */
    public ProblemJson json() {
        ProblemJson json = ProblemJson.of(status, title, getMessage()).errors(errors);
        extensions.forEach(json::with);
        return json;
    }
}
