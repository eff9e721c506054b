package io.eventline.http.common;

import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * The answers the HTTP layer gives itself, outside any route or resource, as problem+json like
 * every other error, in the gateway and in every service: no route (404), a method no route takes
 * (405), a body over the limit (413). The gateway screens requests before any route as well
 * ({@code RequestScreen}); a service's body limit is service-http's {@code BodyLimit}.
 */
@Singleton
public class RouterProblems {

    void install(@Observes Router router) {
        router.errorHandler(404, rc -> ProblemJson.of(404, "Not found", "no such resource").send(rc));
        router.errorHandler(405, rc -> ProblemJson.of(405, "Method not allowed", "this method is not allowed here").send(rc));
        router.errorHandler(413, rc -> ProblemJson.of(413, "Payload too large", "the body is larger than 64 KiB").send(rc));
    }
}
