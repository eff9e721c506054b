package io.eventline.gateway;

import io.eventline.http.common.ProblemJson;
import io.vertx.ext.web.RoutingContext;

/**
 * The stream's way to answer with a problem, with a type slug of its own ({@code stream-unavailable}
 * for a 503 titled "Service unavailable"). Everything else answers with {@link ProblemJson}, which
 * this calls.
 */
public final class Problems {

    private Problems() {
    }

    public static void send(RoutingContext rc, int status, String type, String title, String detail) {
        ProblemJson.of(status, title, detail).type(type).send(rc);
    }
}
