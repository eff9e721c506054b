package io.eventline.http.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;

/** The one problem+json builder: the type rule, the members in order, the media type on both paths. */
class ProblemJsonTest {

    @Test
    void theTypeIsTheTitleInLowerCaseWithHyphens() {
        assertThat(ProblemJson.of(400, "Invalid request", "x").body()).containsEntry("type",
                "https://eventline.dev/problems/invalid-request");
        // A JAX-RS reason phrase, as the services' and the gateway's WebApplicationException mappers pass it.
        assertThat(ProblemJson.of(405, "Method Not Allowed", "x").body()).containsEntry("type",
                "https://eventline.dev/problems/method-not-allowed");
        assertThat(ProblemJson.of(431, "Request header fields too large", "x").body()).containsEntry("type",
                "https://eventline.dev/problems/request-header-fields-too-large");
        assertThat(ProblemJson.of(503, "Service unavailable", "x").type("stream-unavailable").body()).containsEntry("type",
                "https://eventline.dev/problems/stream-unavailable");
    }

    @Test
    void membersInOrderErrorsOnlyWhenThereAreAnyExtensionsLast() {
        Map<String, Object> body = ProblemJson.of(412, "Precondition failed", "reload it").with("currentVersion", 3L).body();
        assertThat(body.keySet()).containsExactly("type", "title", "status", "detail", "currentVersion");
        assertThat(body).containsEntry("title", "Precondition failed").containsEntry("status", 412)
                .containsEntry("detail", "reload it").containsEntry("currentVersion", 3L);

        assertThat(ProblemJson.of(400, "Invalid request", "x").errors(List.of()).body()).doesNotContainKey("errors");
        List<Map<String, String>> errors = List.of(Map.of("field", "limit", "message", "must be an integer from 1 to 100"));
        assertThat(ProblemJson.of(400, "Invalid request", "limit: ...").errors(errors).with("x", 1).body().keySet())
                .containsExactly("type", "title", "status", "detail", "errors", "x");
    }

    @Test
    void aJaxRsAnswerIsProblemJsonWithItsHeaders() {
        Response r = ProblemJson.of(401, "Unauthorized", "a valid bearer token is required").header("WWW-Authenticate", "Bearer")
                .response();
        assertThat(r.getStatus()).isEqualTo(401);
        assertThat(r.getMediaType()).hasToString("application/problem+json");
        assertThat(r.getHeaderString("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(r.getEntity()).isEqualTo(ProblemJson.of(401, "Unauthorized", "a valid bearer token is required").body());
    }

    @Test
    void aVertxAnswerIsProblemJsonWithItsHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        int[] status = { 0 };
        String[] sent = { null };
        HttpServerResponse response = fake(HttpServerResponse.class, (name, args) -> {
            switch (name) {
                case "putHeader" -> headers.put(args[0].toString().toLowerCase(java.util.Locale.ROOT), args[1].toString());
                case "setStatusCode" -> status[0] = (Integer) args[0];
                case "end" -> sent[0] = (String) args[0];
                default -> {
                }
            }
        });
        RoutingContext rc = fake(RoutingContext.class, (name, args) -> {
        }, response);

        ProblemJson.of(503, "Service unavailable", "events-service is unavailable").header("Retry-After", "1").send(rc);

        assertThat(status[0]).isEqualTo(503);
        assertThat(headers).containsEntry("content-type", "application/problem+json").containsEntry("retry-after", "1");
        JsonObject body = new JsonObject(sent[0]);
        assertThat(body.fieldNames()).containsExactly("type", "title", "status", "detail");
        assertThat(body.getString("type")).isEqualTo("https://eventline.dev/problems/service-unavailable");
        assertThat(body.getInteger("status")).isEqualTo(503);
        assertThat(body.getString("detail")).isEqualTo("events-service is unavailable");
    }

    private interface Calls {
        void call(String method, Object[] args);
    }

    /**
     * An interface whose calls go to {@code calls}: fluent methods answer the fake itself, methods
     * returning {@code HttpServerResponse} answer {@code response}, {@code ended()}/{@code closed()} false.
     */
    private static <T> T fake(Class<T> type, Calls calls, Object... response) {
        Object fake = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                        : method.getName().equals("equals") ? proxy == args[0] : type.getSimpleName();
            }
            calls.call(method.getName(), args == null ? new Object[0] : args);
            Class<?> returns = method.getReturnType();
            if (returns == HttpServerResponse.class) {
                return response.length > 0 ? response[0] : proxy;
            }
            if (returns == boolean.class) {
                return false;
            }
            return returns == type ? proxy : null;
        });
        return type.cast(fake);
    }
}
