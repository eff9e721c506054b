package io.eventline.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * The answers the HTTP layer gives itself, outside any resource, as problem+json like every other
 * error: a chunked body over the limit (413), no route (404), a method no route takes (405).
 */
@Singleton
public class RouterProblems {

    void install(@Observes Router router) {
        router.errorHandler(413, rc -> send(rc, 413, "Payload too large", "the body is larger than 64 KiB"));
        router.errorHandler(404, rc -> send(rc, 404, "Not found", "no such resource"));
        router.errorHandler(405, rc -> send(rc, 405, "Method not allowed", "this method is not allowed here"));
    }

    private static void send(RoutingContext rc, int status, String title, String detail) {
        if (rc.response().ended() || rc.response().closed()) {
            return;
        }
        rc.response().setStatusCode(status).putHeader("Content-Type", ProblemMapper.PROBLEM_JSON)
                .end(new JsonObject().put("type", "https://eventline.dev/problems/" + title.toLowerCase().replace(' ', '-')).put("title", title).put("status", status)
                        .put("detail", detail).encode());
    }
}
