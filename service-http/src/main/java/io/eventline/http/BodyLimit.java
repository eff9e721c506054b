package io.eventline.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;

/**
 * Refuses a body over 64 KiB before it is read, as problem+json (the HTTP layer's own limit,
 * {@code quarkus.http.limits.max-body-size}, stays as the backstop for chunked bodies).
 */
@jakarta.enterprise.context.ApplicationScoped
public class BodyLimit {

    static final long MAX_BODY = 64 * 1024;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && tooLong(length)) {
                rc.response().setStatusCode(413).putHeader(HttpHeaders.CONTENT_TYPE, ProblemMapper.PROBLEM_JSON)
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end("{\"type\":\"https://eventline.dev/problems/payload-too-large\",\"title\":\"Payload too large\","
                                + "\"status\":413,\"detail\":\"the body is larger than 64 KiB\"}");
                return;
            }
            rc.next();
        });
    }

    private static boolean tooLong(String length) {
        try {
            return Long.parseLong(length.trim()) > MAX_BODY;
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
