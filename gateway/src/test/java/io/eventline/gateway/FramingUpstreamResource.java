package io.eventline.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * One upstream behind every proxied prefix for the framing tests: the JDK's own HTTP server, so
 * the framing the gateway receives is not Vert.x's.
 *
 * <ul>
 * <li>{@code <prefix>/status/<code>?body=length|chunked}: answers {@code code} to any method, with
 * {@link #body} framed by Content-Length or chunked (in two chunks). A HEAD, 204 or 304 answer has
 * no body; for HEAD and 304 it still carries the framing headers that GET's 200 would (the
 * Content-Length of that body, or {@code Transfer-Encoding: chunked}), as RFC 9110 allows, to
 * check that the gateway does not turn them into a promise of a body.
 * <li>{@code <prefix>/echo}: 200 with the request's headers as {@code name: value} lines (names in
 * lower case, sorted), and a {@code Connection: X-Upstream-Hop} with an {@code X-Upstream-Hop}
 * header, which the gateway must not relay.
 * </ul>
 * Every answer carries {@code X-Request-Body-Bytes}: the bytes of request body it read.
 */
public class FramingUpstreamResource implements QuarkusTestResourceLifecycleManager {

    private HttpServer server;
    private ExecutorService threads;

    /** The body the stub sends for {@code method} and {@code status} when it sends one. */
    static String body(String method, int status) {
        return "{\"method\":\"" + method + "\",\"status\":" + status + ",\"padding\":\"" + "x".repeat(200) + "\"}";
    }

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        threads = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(threads);
        server.createContext("/", this::answer);
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        return Map.of("eventline.gateway.events-url", url, "eventline.gateway.messaging-url", url,
                "eventline.gateway.notifications-url", url);
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            long read;
            try (InputStream in = exchange.getRequestBody()) {
                read = in.transferTo(OutputStream.nullOutputStream());
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String query = String.valueOf(exchange.getRequestURI().getQuery());
            var headers = exchange.getResponseHeaders();
            headers.set("X-Request-Body-Bytes", Long.toString(read));
            headers.set("X-Upstream", "stub");
            if (path.endsWith("/echo")) {
                Map<String, List<String>> seen = new TreeMap<>();
                exchange.getRequestHeaders().forEach((name, values) -> seen
                        .computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
                StringBuilder text = new StringBuilder();
                seen.forEach((name, values) -> values.forEach(v -> text.append(name).append(": ").append(v).append('\n')));
                headers.set("Content-Type", "text/plain");
                headers.set("Connection", "X-Upstream-Hop");
                headers.set("X-Upstream-Hop", "must not pass the gateway");
                headers.set("Keep-Alive", "timeout=30");
                byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
                return;
            }
            int marker = path.indexOf("/status/");
            if (marker < 0) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            int status = Integer.parseInt(path.substring(marker + "/status/".length()));
            boolean chunked = query.contains("body=chunked");
            byte[] bytes = body(method, status).getBytes(StandardCharsets.UTF_8);
            headers.set("Content-Type", "application/json");
            headers.set("ETag", "\"7\"");
            boolean head = "HEAD".equals(method);
            if (head || status == 304) {
                // GET's framing headers, with no body (RFC 9110 §9.3.2 and §15.4.5).
                if (chunked) {
                    headers.set("Transfer-Encoding", "chunked");
                } else {
                    headers.set("Content-Length", Integer.toString(bytes.length));
                }
                exchange.sendResponseHeaders(status, -1);
            } else if (status == 204) {
                exchange.sendResponseHeaders(status, -1);
            } else if (chunked) {
                exchange.sendResponseHeaders(status, 0);
                OutputStream out = exchange.getResponseBody();
                out.write(bytes, 0, bytes.length / 2);
                out.flush();
                out.write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
            } else {
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (threads != null) {
            threads.shutdownNow();
        }
    }
}
