package io.eventline.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.eventline.localstack.DevTokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/** The REST API through the gateway, asynchronously, for the writes and reads a scenario makes. */
final class Api {

    /** An answer: status, ETag, body (null when empty), System.nanoTime() when it had arrived. */
    record Answer(int status, String etag, JsonObject body, long nanos) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** A persona: its sub, role and token. */
    record Persona(String sub, String role, String token) {
    }

    private final HttpClient client;
    private final int port;

    Api(HttpClient client, int port) {
        this.client = client;
        this.port = port;
    }

    static List<Persona> personas(String prefix, String role, int n) {
        List<Persona> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String sub = prefix + "-" + role + "-" + i;
            out.add(new Persona(sub, role, DevTokens.mint(sub, role, sub, Duration.ofHours(4))));
        }
        return out;
    }

    Future<Answer> call(String method, String uri, Persona who, JsonObject body) {
        return call(method, uri, who, body, null);
    }

    Future<Answer> call(String method, String uri, Persona who, JsonObject body, String ifNoneMatch) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.valueOf(method)).setHost("127.0.0.1").setPort(port)
                .setURI(uri).putHeader("Authorization", "Bearer " + who.token()).putHeader("Accept", "application/json");
        if (ifNoneMatch != null) {
            options.putHeader("If-None-Match", ifNoneMatch);
        }
        if (body != null) {
            options.putHeader("Content-Type", "application/json");
        }
        return client.request(options)
                .compose(r -> body == null ? r.send() : r.send(Buffer.buffer(body.encode())))
                .compose(r -> r.body().map(b -> new Answer(r.statusCode(), r.getHeader("ETag"),
                        b.length() == 0 ? null : parse(b), System.nanoTime())));
    }

    private static JsonObject parse(Buffer b) {
        try {
            return b.toJsonObject();
        } catch (RuntimeException e) {
            return new JsonObject().put("raw", b.toString());
        }
    }

    static JsonObject newEvent(String title) {
        java.time.Instant start = java.time.Instant.now().plus(Duration.ofDays(30));
        return new JsonObject().put("title", title).put("description", "bench").put("venue", "Hall 1")
                .put("startsAt", start.toString()).put("endsAt", start.plus(Duration.ofHours(2)).toString())
                .put("capacity", 100_000);
    }
}
