package io.eventline.gateway.openapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * {@code GET /api/openapi} describes what frontends call on the gateway: the three services'
 * paths, merged from their documents, and the live stream with its events; a service that is
 * down is named and the rest is served. Read with the JDK's HttpClient, not the app's stack.
 */
@QuarkusTest
@WithTestResource(LocalStackTestResource.class)
@WithTestResource(ServiceDocsResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiAggregateTest {

    private static final List<String> EVENTS_PATHS = List.of("/api/events", "/api/events/{id}", "/api/events/{id}/approve",
            "/api/events/{id}/bookings", "/api/bookings/mine");
    private static final List<String> MESSAGING_PATHS = List.of("/api/conversations", "/api/conversations/{id}/messages",
            "/api/messages/unread-count");
    private static final List<String> NOTIFICATION_PATHS = List.of("/api/notifications", "/api/notifications/{id}/read",
            "/api/notifications/read-all");
    private static final List<String> GATEWAY_PATHS = List.of("/api/stream", "/api/stream/tickets", "/api/me/summary",
            "/api/openapi");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TestHTTPResource("/")
    URL gateway;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    @Order(1)
    void aServiceThatIsDownIsNamedAndTheRestIsServed() throws Exception {
        System.setProperty(ServiceDocsResource.MESSAGING_DOWN, "true");

        // The gateway's first fetch, at its start, may miss a service that was slow to answer on a busy
        // machine (CI): that part is fetched again by a request 2 s later. Wait for the two that are up.
        JsonObject doc = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> {
            HttpResponse<String> response = get("/api/openapi");
            assertThat(response.statusCode()).isEqualTo(200);
            return new JsonObject(response.body());
        }, d -> source(d, "events-service").getBoolean("included") && source(d, "notification-service").getBoolean("included"));
        assertThat(doc.getJsonObject("paths").fieldNames()).containsAll(EVENTS_PATHS).containsAll(NOTIFICATION_PATHS)
                .containsAll(GATEWAY_PATHS).doesNotContainAnyElementsOf(MESSAGING_PATHS);
        JsonObject messaging = source(doc, "messaging-service");
        assertThat(messaging.getBoolean("included")).isFalse();
        assertThat(messaging.getString("error")).isEqualTo("answered 503");
        assertThat(source(doc, "events-service").getBoolean("included")).isTrue();
        assertThat(doc.getJsonObject("info").getString("description")).contains("Missing now").contains("messaging-service");
        assertThat(danglingRefs(doc)).isEmpty();
    }

    @Test
    @Order(2)
    void theDocumentHasEveryServicesPathsAndTheStreamOnceAllAnswer() {
        System.clearProperty(ServiceDocsResource.MESSAGING_DOWN);

        JsonObject doc = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                .until(() -> new JsonObject(get("/api/openapi").body()),
                        d -> d.getJsonArray(OpenApiMerge.SOURCES).stream().allMatch(s -> ((JsonObject) s).getBoolean("included")));

        assertThat(doc.getString("openapi")).startsWith("3.");
        assertThat(doc.getJsonObject("paths").fieldNames()).containsAll(EVENTS_PATHS).containsAll(MESSAGING_PATHS)
                .containsAll(NOTIFICATION_PATHS).containsAll(GATEWAY_PATHS);
        assertThat(doc.getJsonObject("info").getString("description")).contains("Every part is included");
        assertStreamDescribed(doc);
        assertThat(danglingRefs(doc)).as("$refs that name no component").isEmpty();
        List<String> operationIds = operationIds(doc);
        assertThat(new HashSet<>(operationIds)).as("operationIds are unique").hasSize(operationIds.size());
        assertThat(doc.getJsonObject("components").getJsonObject("schemas").fieldNames()).contains("EventInput", "NewMessage",
                "NotificationView", "Summary", "StreamFrame");
    }

    @Test
    void theGatewaysOwnDocumentDescribesTheStream() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + management.getPort()
                + "/q/openapi?format=json")).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertStreamDescribed(new JsonObject(response.body()));
        assertThat(get("/q/openapi?format=json").statusCode()).as("the public port has no /q/openapi").isEqualTo(404);
    }

    @Test
    void anotherMethodIsAProblem() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/api/openapi")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(new JsonObject(response.body()).getInteger("status")).isEqualTo(405);
    }

    /** GET /api/stream answers text/event-stream, and its frames are ready, a record, heartbeat, reset and expired. */
    private static void assertStreamDescribed(JsonObject doc) {
        JsonObject stream = doc.getJsonObject("paths").getJsonObject("/api/stream").getJsonObject("get");
        JsonObject ok = stream.getJsonObject("responses").getJsonObject("200").getJsonObject("content");
        assertThat(ok.fieldNames()).containsExactly("text/event-stream");
        assertThat(ok.getJsonObject("text/event-stream").getJsonObject("schema").getJsonObject("items").getString("$ref"))
                .isEqualTo("#/components/schemas/StreamFrame");
        JsonObject schemas = doc.getJsonObject("components").getJsonObject("schemas");
        List<String> events = new ArrayList<>();
        for (Object option : schemas.getJsonObject("StreamFrame").getJsonArray("oneOf")) {
            String ref = ((JsonObject) option).getString("$ref");
            JsonObject event = schemas.getJsonObject(ref.substring(ref.lastIndexOf('/') + 1)).getJsonObject("properties")
                    .getJsonObject("event");
            events.add(event.getString("const", "<record type>"));
        }
        assertThat(events).containsExactlyInAnyOrder("ready", "<record type>", "heartbeat", "reset", "expired");
        assertThat(stream.getJsonArray("parameters").stream().map(p -> ((JsonObject) p).getString("name")))
                .contains("ticket", "Last-Event-ID", "lastEventId", "frames");
    }

    private static JsonObject source(JsonObject doc, String name) {
        return doc.getJsonArray(OpenApiMerge.SOURCES).stream().map(JsonObject.class::cast)
                .filter(s -> s.getString("name").equals(name)).findFirst().orElseThrow();
    }

    /** Every {@code $ref} in the document that does not name a component it has. */
    private static Set<String> danglingRefs(JsonObject doc) {
        Set<String> refs = new HashSet<>();
        collectRefs(doc, refs);
        refs.removeIf(ref -> {
            String[] p = ref.split("/");
            return p.length == 4 && p[0].equals("#") && p[1].equals("components")
                    && doc.getJsonObject("components").getJsonObject(p[2], new JsonObject()).containsKey(p[3]);
        });
        return refs;
    }

    private static void collectRefs(Object node, Set<String> refs) {
        if (node instanceof JsonObject o) {
            o.forEach(e -> {
                if (e.getKey().equals("$ref") && e.getValue() instanceof String s) {
                    refs.add(s);
                } else {
                    collectRefs(e.getValue(), refs);
                }
            });
        } else if (node instanceof JsonArray a) {
            a.forEach(v -> collectRefs(v, refs));
        }
    }

    private static List<String> operationIds(JsonObject doc) {
        List<String> ids = new ArrayList<>();
        JsonObject paths = doc.getJsonObject("paths");
        for (String path : paths.fieldNames()) {
            paths.getJsonObject(path).forEach(m -> {
                if (m.getValue() instanceof JsonObject op && op.containsKey("operationId")) {
                    ids.add(op.getString("operationId"));
                }
            });
        }
        return ids;
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).header("Accept", "application/json")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + gateway.getPort() + path);
    }
}
