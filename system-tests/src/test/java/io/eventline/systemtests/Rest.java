package io.eventline.systemtests;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import io.eventline.localstack.DevTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** One persona calling the API through a gateway, over real HTTP. */
public final class Rest {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /** A response: status, ETag and body. */
    public record Reply(int status, String etag, String body) {
        public JsonObject json() {
            return new JsonObject(body);
        }
    }

    public final String sub;
    public final String role;
    public final String token;
    private final String base;

    public Rest(String base, String role) {
        this(base, role + "-" + UUID.randomUUID(), role);
    }

    public Rest(String base, String sub, String role) {
        this.base = base;
        this.sub = sub;
        this.role = role;
        this.token = DevTokens.mint(sub, role, sub, Duration.ofHours(1));
    }

    public Reply call(String method, String path, JsonObject body, String... headers) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + token);
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        if (body != null) {
            r.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body.encode()));
        } else {
            r.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("ETag").orElse(null), response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Fails unless the status is the expected one. */
    public JsonObject expect(int status, String method, String path, JsonObject body, String... headers) {
        Reply reply = call(method, path, body, headers);
        if (reply.status() != status) {
            throw new AssertionError(method + " " + path + " as " + sub + ": expected " + status + ", got " + reply.status()
                    + " " + reply.body());
        }
        return reply.body() == null || reply.body().isBlank() ? new JsonObject() : reply.json();
    }

    // The domain calls the tests make.

    public JsonObject createEvent(String title) {
        Instant start = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        return expect(201, "POST", "/api/events", new JsonObject().put("title", title).put("venue", "Hall")
                .put("startsAt", start.toString()).put("endsAt", start.plus(2, ChronoUnit.HOURS).toString())
                .put("capacity", 50));
    }

    /** submit, approve, cancel; reject takes a reason. */
    public JsonObject transition(String eventId, String action) {
        JsonObject body = action.equals("reject") ? new JsonObject().put("reason", "not this time") : null;
        return expect(200, "POST", "/api/events/" + eventId + "/" + action, body);
    }

    public JsonObject book(String eventId, int seats) {
        return expect(201, "POST", "/api/events/" + eventId + "/bookings", new JsonObject().put("seats", seats));
    }

    public JsonObject conversation(String... others) {
        io.vertx.core.json.JsonArray participants = new io.vertx.core.json.JsonArray();
        for (String o : others) {
            participants.add(o);
        }
        return expect(201, "POST", "/api/conversations", new JsonObject().put("participantIds", participants)
                .put("subject", "hello"));
    }

    /** The id of this caller's notification of {@code type} about {@code subjectId}, once it has been derived. */
    public String awaitNotification(String type, String subjectId) {
        String[] found = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            JsonArray items = expect(200, "GET", "/api/notifications?limit=100", null).getJsonArray("items");
            for (Object item : items) {
                JsonObject n = (JsonObject) item;
                if (type.equals(n.getString("type")) && n.getJsonObject("subject") != null
                        && subjectId.equals(n.getJsonObject("subject").getString("id"))) {
                    found[0] = n.getString("id");
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    public JsonObject send(String conversationId, String text) {
        return expect(201, "POST", "/api/conversations/" + conversationId + "/messages", new JsonObject().put("body", text));
    }
}
