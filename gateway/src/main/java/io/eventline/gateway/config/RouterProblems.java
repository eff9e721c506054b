package io.eventline.gateway.config;

import io.eventline.gateway.Problems;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * The answers Vert.x-web gives itself, before any route runs, as problem+json like every other
 * error: no route for the path (404, e.g. {@code /api/zzz}), a path or query with a malformed
 * %-escape (400), a method no route takes (405), and a body over the limit (413).
 */
@Singleton
public class RouterProblems {

    void install(@Observes Router router) {
        // Before anything else reads it (the proxy, the stream, REST): a path or query with a broken
        // %-escape is refused here as a problem, rather than as a bare 400 from whichever layer
        // happens to decode it first (ours or a service's).
        router.route().order(-1000).handler(rc -> {
            if (wellEscaped(rc.request().path()) && wellEscaped(rc.request().query())) {
                rc.next();
            } else {
                Problems.send(rc, 400, "bad-request", "Bad request", "the path or query has a malformed %-escape");
            }
        });
        router.errorHandler(400, rc -> Problems.send(rc, 400, "bad-request", "Bad request",
                "the request line or its headers are malformed (for example a bad %-escape)"));
        router.errorHandler(404, rc -> Problems.send(rc, 404, "not-found", "Not found", "no such resource"));
        router.errorHandler(405, rc -> Problems.send(rc, 405, "method-not-allowed", "Method not allowed",
                "this method is not allowed here"));
        router.errorHandler(413, rc -> Problems.send(rc, 413, "payload-too-large", "Payload too large",
                "the body is larger than 64 KiB"));
    }

    /** Every '%' is followed by two hex digits. */
    public static boolean wellEscaped(String s) {
        if (s == null) {
            return true;
        }
        for (int i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
            if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
