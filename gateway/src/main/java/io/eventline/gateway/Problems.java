package io.eventline.gateway;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** RFC 9457 problem+json answers from the gateway's own Vert.x routes (the stream, dev sign-in). */
public final class Problems {

    private Problems() {
    }

    public static void send(RoutingContext rc, int status, String type, String title, String detail) {
        send(rc, status, type, title, detail, null);
    }

    /** {@code errors}: the {@code {field, message}} list of a validation problem, or null. */
    public static void send(RoutingContext rc, int status, String type, String title, String detail, JsonArray errors) {
        HttpServerResponse response = rc.response();
        if (response.ended() || response.closed()) {
            return;
        }
        JsonObject problem = new JsonObject().put("type", "https://eventline.dev/problems/" + type).put("title", title)
                .put("status", status).put("detail", detail);
        if (errors != null) {
            problem.put("errors", errors);
        }
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json").end(problem.encode());
    }
}
