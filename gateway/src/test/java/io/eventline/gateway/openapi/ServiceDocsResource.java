package io.eventline.gateway.openapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Stand-ins for the three services' management listeners, each serving only {@code /q/openapi}: the
 * real document its packaged build generated (read from {@code ../<service>/target/quarkus-app},
 * so the services must have been packaged, as for {@code UpstreamsResource}). The JDK's own HTTP
 * server, on a free port each.
 *
 * <p>messaging-service answers 503 while the system property {@link #MESSAGING_DOWN} is
 * {@code true}, which it is from the start: the gateway's fetch at startup finds it down. A system
 * property, because this resource and the test run in different class loaders of one JVM.
 */
public class ServiceDocsResource implements QuarkusTestResourceLifecycleManager {

    static final String MESSAGING_DOWN = "eventline.test.openapi.messaging-down";
    private static final String GENERATED = "META-INF/quarkus-generated-openapi-doc.JSON";

    private final List<HttpServer> servers = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        System.setProperty(MESSAGING_DOWN, "true");
        return Map.of(
                "eventline.gateway.events-management-url", serve("events-service", false),
                "eventline.gateway.messaging-management-url", serve("messaging-service", true),
                "eventline.gateway.notifications-management-url", serve("notification-service", false));
    }

    private String serve(String service, boolean mayBeDown) {
        byte[] document = document(service);
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/q/openapi", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    if (mayBeDown && Boolean.getBoolean(MESSAGING_DOWN)) {
                        exchange.sendResponseHeaders(503, -1);
                        return;
                    }
                    exchange.getResponseHeaders().set("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, document.length);
                    exchange.getResponseBody().write(document);
                }
            });
            server.start();
            servers.add(server);
            return "http://127.0.0.1:" + server.getAddress().getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The document Quarkus generated when it packaged {@code service}. */
    private static byte[] document(String service) {
        Path jar = Path.of("..", service, "target", "quarkus-app", "quarkus", "generated-bytecode.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + service + " first (./mvnw -pl " + service + " package -DskipTests)");
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entry = zip.getEntry(GENERATED);
            if (entry == null) {
                throw new IllegalStateException(jar + " has no " + GENERATED);
            }
            try (InputStream in = zip.getInputStream(entry)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        servers.forEach(s -> s.stop(0));
        System.clearProperty(MESSAGING_DOWN);
    }
}
