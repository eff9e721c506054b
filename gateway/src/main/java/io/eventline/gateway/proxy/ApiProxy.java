package io.eventline.gateway.proxy;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

import io.eventline.gateway.config.GatewayConfig;
import io.eventline.http.common.ProblemJson;
import io.quarkus.logging.Log;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
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
 * If-None-Match, Idempotency-Key, Authorization, traceparent…); hop-by-hop headers do not, in
 * either direction: the fixed ones (RFC 9110 §7.6.1) and every header that {@code Connection}
 * names. A service that refuses the connection is a 503, one that stays silent a 504, both as
 * problem+json and within the configured timeouts, never a hang.
 *
 * <p>Framing is decided per answer (RFC 9112 §6.3), never copied: an answer to HEAD, a 1xx, 204 or
 * 304 has no body and no {@code Transfer-Encoding} (a HEAD or 304 keeps the service's
 * {@code Content-Length}, which is GET's); any other answer keeps the service's
 * {@code Content-Length}, or is chunked when the service sent none.
 *
 * <p>The forwarding headers are chains, and each hop appends itself: {@code X-Forwarded-For} gets
 * the peer's address, {@code X-Forwarded-Proto} its scheme, {@code X-Forwarded-Host} the
 * authority it asked for, and {@code Forwarded} (RFC 7239) an element with all three. Whatever a
 * client sent before that is kept but is only as trustworthy as the ingress in front; the last
 * element is the gateway's own observation.
 */
@ApplicationScoped
public class ApiProxy {

    /** Path prefix → the service behind it. */
    private record Upstream(String name, String host, int port) {
    }

    /**
     * Hop-by-hop (RFC 9110 §7.6.1, and the obsolete Proxy-Connection), plus Host, which the client
     * sets to the service's authority. Content-Length passes; {@link #relay} decides the framing.
     */
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host");

    /** Appended to, not copied: {@link #forwarding}. */
    private static final Set<String> FORWARDING = Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "forwarded");

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
            Set<String> hopByHop = hopByHop(in.headers());
            in.headers().forEach(h -> {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (!hopByHop.contains(name) && !FORWARDING.contains(name)) {
                    out.headers().add(h.getKey(), h.getValue());
                }
            });
            forwarding(in, out.headers());
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

    /** The fixed hop-by-hop headers and those that this message's {@code Connection} names, in lower case. */
    private static Set<String> hopByHop(MultiMap headers) {
        List<String> connection = headers.getAll(HttpHeaders.CONNECTION);
        if (connection.isEmpty()) {
            return HOP_BY_HOP;
        }
        Set<String> names = new HashSet<>(HOP_BY_HOP);
        for (String value : connection) {
            for (String name : value.split(",")) {
                names.add(name.strip().toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /** Appends this hop (the peer, the scheme and the authority it asked for) to each forwarding header. */
    private static void forwarding(HttpServerRequest in, MultiMap out) {
        String peer = in.remoteAddress() == null ? null : in.remoteAddress().hostAddress();
        String host = in.authority() == null ? null : in.authority().toString();
        append(in, out, "X-Forwarded-For", peer);
        append(in, out, "X-Forwarded-Proto", in.scheme());
        append(in, out, "X-Forwarded-Host", host);
        StringBuilder element = new StringBuilder("for=").append(peer == null ? "unknown"
                : peer.indexOf(':') >= 0 ? "\"[" + peer + "]\"" : peer);
        element.append(";proto=").append(in.scheme());
        if (host != null) {
            element.append(";host=\"").append(host.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        append(in, out, "Forwarded", element.toString());
    }

    /** {@code name}: the client's values (several fields joined in order), then {@code hop}. */
    private static void append(HttpServerRequest in, MultiMap out, String name, String hop) {
        List<String> chain = new ArrayList<>(in.headers().getAll(name));
        if (hop != null) {
            chain.add(hop);
        }
        if (!chain.isEmpty()) {
            out.set(name, String.join(", ", chain));
        }
    }

    /** RFC 9112 §6.3: what has no body whatever its headers say. */
    private static boolean bodiless(HttpMethod method, int status) {
        return HttpMethod.HEAD.equals(method) || status < 200 || status == 204 || status == 304;
    }

    private static void relay(RoutingContext rc, HttpClientResponse upstream) {
        HttpServerResponse out = rc.response();
        int status = upstream.statusCode();
        // Only the code: a reason phrase of its own makes Vert.x build a new status object, which its
        // 304 check (an identity comparison) then misses, and it frames that 304 as if it had a body.
        // Clients ignore reason phrases (RFC 9112 §4).
        out.setStatusCode(status);
        Set<String> hopByHop = hopByHop(upstream.headers());
        upstream.headers().forEach(h -> {
            if (!hopByHop.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                out.headers().add(h.getKey(), h.getValue());
            }
        });
        if (bodiless(rc.request().method(), status)) {
            if (status < 200 || status == 204) {
                out.headers().remove(HttpHeaders.CONTENT_LENGTH); // RFC 9110 §8.6: never on these
            }
            // Never chunked: there is no body to frame, and strict clients read the chunks a header promises.
        } else if (!out.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
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
        ProblemJson.of(status, timeout ? "Gateway timeout" : "Service unavailable", detail).header("Retry-After", "1").send(rc);
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
