package io.eventline.http;

import io.eventline.http.common.ProblemJson;
import io.eventline.http.common.RouterProblems;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;

/**
 * Refuses a body over 64 KiB as problem+json: a declared {@code Content-Length} over it before the
 * body is read; a chunked body by reading it here with that limit, so that it fails into
 * {@link RouterProblems}' 413 (Quarkus REST then reads the body already read). Left to Quarkus REST,
 * a chunked body over {@code quarkus.http.limits.max-body-size} got an empty 413, which the fault
 * suite's fuzzing found.
 */
@jakarta.enterprise.context.ApplicationScoped
public class BodyLimit {

    static final long MAX_BODY = 64 * 1024;

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && tooLong(length)) {
                tooLarge(rc);
                return;
            }
            if (length == null && rc.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
                chunked.handle(rc);
                return;
            }
            rc.next();
        }).failureHandler(rc -> {
            // The body handler fails with 413 once a chunked body passes the limit. Failure handlers
            // run before the router's error handlers, and Quarkus's own would answer it empty.
            if (rc.statusCode() == 413) {
                tooLarge(rc);
            } else {
                rc.next();
            }
        });
    }

    private static void tooLarge(RoutingContext rc) {
        ProblemJson.of(413, "Payload too large", "the body is larger than 64 KiB").header("Connection", "close").send(rc);
    }

    private final BodyHandler chunked = BodyHandler.create(false).setBodyLimit(MAX_BODY);

    private static boolean tooLong(String length) {
        try {
            return Long.parseLong(length.trim()) > MAX_BODY;
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
