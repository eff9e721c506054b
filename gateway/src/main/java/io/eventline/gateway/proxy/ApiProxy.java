package io.eventline.gateway.proxy;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.eventline.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Routes {@code /api/**} to the services: non-blocking, pooled, bodies streamed both ways.
 *
 * <p>Status, body and every end-to-end header pass through unchanged (ETag, Location, If-Match,
 * If-None-Match, Idempotency-Key, Authorization, traceparent…); hop-by-hop headers do not. A
 * service that refuses the connection is a 503, one that stays silent a 504, both as
 * problem+json and within the configured timeouts, never a hang.
 */
@ApplicationScoped
public class ApiProxy {

    /** Path prefix → the service behind it. */
    private record Upstream(String name, String host, int port) {
    }

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host");

    private final Map<String, Upstream> routes;
    private final HttpClient client;
    private final long upstreamTimeoutMs;

    public ApiProxy(Vertx vertx, GatewayConfig config) {
        Upstream events = upstream("events-service", config.eventsUrl());
        Upstream messaging = upstream("messaging-service", config.messagingUrl());
        Upstream notifications = upstream("notification-service", config.notificationsUrl());
        this.routes = Map.of("/api/events", events, "/api/bookings", events, "/api/conversations", messaging,
                "/api/messages", messaging, "/api/notifications", notifications);
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setMaxPoolSize(config.maxConnectionsPerService())
                .setKeepAlive(true)
                .setDecompressionSupported(false));
        this.upstreamTimeoutMs = config.upstreamTimeout().toMillis();
    }

    /**
     * GETs a JSON body from the service behind {@code path}, with the caller's Authorization; fails
     * on anything but a 200 or after {@code timeoutMs}.
     */
    public io.vertx.core.Future<io.vertx.core.json.JsonObject> getJson(String path, String authorization, long timeoutMs) {
        Upstream upstream = route(path);
        RequestOptions options = new RequestOptions().setMethod(io.vertx.core.http.HttpMethod.GET)
                .setHost(upstream.host()).setPort(upstream.port()).setURI(path).setIdleTimeout(timeoutMs);
        if (authorization != null) {
            options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
        }
        return client.request(options).compose(io.vertx.core.http.HttpClientRequest::send)
                .compose(r -> r.statusCode() == 200 ? r.body()
                        : io.vertx.core.Future.failedFuture(upstream.name() + " answered " + r.statusCode()))
                .map(io.vertx.core.buffer.Buffer::toJsonObject);
    }

    void install(@Observes Router router) {
        router.route("/api/*").order(-10).handler(this::proxy);
    }

    private void proxy(RoutingContext rc) {
        HttpServerRequest in = rc.request();
        Upstream upstream = route(in.path());
        if (upstream == null) {
            rc.next(); // /api/stream, /api/me/summary and the like are the gateway's own
            return;
        }
        in.pause();
        RequestOptions options = new RequestOptions()
                .setMethod(in.method())
                .setHost(upstream.host())
                .setPort(upstream.port())
                .setURI(in.uri())
                .setIdleTimeout(upstreamTimeoutMs);
        client.request(options).onSuccess(out -> {
            in.headers().forEach(h -> {
                if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                    out.headers().add(h.getKey(), h.getValue());
                }
            });
            out.headers().set("X-Forwarded-Host", String.valueOf(in.authority()));
            out.headers().set("X-Forwarded-Proto", in.scheme());
            if (in.remoteAddress() != null) {
                out.headers().set("X-Forwarded-For", in.remoteAddress().hostAddress());
            }
            if (!in.headers().contains(HttpHeaders.CONTENT_LENGTH) && !hasBody(in)) {
                out.send().onSuccess(r -> relay(rc, r)).onFailure(e -> fail(rc, upstream, e));
            } else {
                out.send(in).onSuccess(r -> relay(rc, r)).onFailure(e -> fail(rc, upstream, e));
            }
        }).onFailure(e -> fail(rc, upstream, e));
    }

    private static boolean hasBody(HttpServerRequest in) {
        String te = in.getHeader(HttpHeaders.TRANSFER_ENCODING);
        return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
    }

    private static void relay(RoutingContext rc, HttpClientResponse upstream) {
        HttpServerResponse out = rc.response();
        out.setStatusCode(upstream.statusCode());
        out.setStatusMessage(upstream.statusMessage());
        upstream.headers().forEach(h -> {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                out.headers().add(h.getKey(), h.getValue());
            }
        });
        if (!upstream.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            out.setChunked(true);
        }
        upstream.pipeTo(out);
    }

    private static void fail(RoutingContext rc, Upstream upstream, Throwable e) {
        HttpServerResponse out = rc.response();
        if (out.headWritten()) {
            out.reset(); // the answer was under way: cut it rather than lie about its end
            return;
        }
        boolean timeout = e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout");
        int status = timeout ? 504 : 503;
        Log.debugf("proxy to %s failed: %s", upstream.name(), e.toString());
        String detail = timeout ? upstream.name() + " did not answer in time" : upstream.name() + " is unavailable";
        out.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .putHeader("Retry-After", "1")
                .end("{\"type\":\"https://eventline.dev/problems/" + (timeout ? "gateway-timeout" : "service-unavailable")
                        + "\",\"title\":\"" + (timeout ? "Gateway timeout" : "Service unavailable") + "\",\"status\":"
                        + status + ",\"detail\":\"" + detail + "\"}");
    }

    private Upstream route(String path) {
        for (Map.Entry<String, Upstream> r : routes.entrySet()) {
            String prefix = r.getKey();
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return r.getValue();
            }
        }
        return null;
    }

    private static Upstream upstream(String name, String url) {
        URI uri = URI.create(url);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        if (!List.of("http").contains(uri.getScheme())) {
            throw new IllegalArgumentException(name + " URL must be http://host:port, not " + url);
        }
        return new Upstream(name, uri.getHost(), port);
    }
}
