package io.eventline.gateway.openapi;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.eventline.gateway.config.GatewayConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The services' own OpenAPI documents ({@code /q/openapi?format=json} on their management
 * listeners, {@code eventline.gateway.*-management-url}), fetched at startup and kept.
 *
 * <p>A service that is down never breaks the gateway: its part is simply missing (with the reason)
 * until a later request finds it back, at most one fetch per service every {@link #RETRY_MISSING_MS}.
 * A part that is present is served at once and refreshed in the background once it is older than
 * {@link #REFRESH_AFTER_MS}, so a redeployed service shows its new API without a gateway restart.
 * At most one fetch per service is in flight, however many requests ask.
 */
@ApplicationScoped
public class ServiceDocuments {

    static final long FETCH_TIMEOUT_MS = 2_000;
    static final long RETRY_MISSING_MS = 2_000;
    static final long REFRESH_AFTER_MS = 60_000;

    /** One service's document as last fetched ({@code document} null: never fetched), and the last error. */
    public record Part(String service, JsonObject document, Instant fetchedAt, String error) {
    }

    private final class Slot {
        final String service;
        final String host;
        final int port;
        volatile JsonObject document;
        volatile Instant fetchedAt;
        volatile String error = "not fetched yet";
        private long lastAttempt = Long.MIN_VALUE / 2;
        private Future<Void> inflight;

        Slot(String service, String url) {
            this.service = service;
            URI uri = URI.create(url);
            this.host = uri.getHost();
            this.port = uri.getPort() != -1 ? uri.getPort() : 80;
        }

        /** The running fetch, or a new one; {@code onlyAfterMs}: none if the last attempt is younger. */
        synchronized Future<Void> refresh(long onlyAfterMs) {
            if (inflight != null) {
                return inflight;
            }
            long now = System.currentTimeMillis();
            if (now - lastAttempt < onlyAfterMs) {
                return Future.succeededFuture();
            }
            lastAttempt = now;
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port)
                    .setURI("/q/openapi?format=json").setIdleTimeout(FETCH_TIMEOUT_MS)
                    .putHeader(HttpHeaders.ACCEPT, "application/json");
            Future<Void> fetch = client.request(options).compose(r -> r.send())
                    .compose(r -> r.statusCode() == 200 ? r.body()
                            : Future.failedFuture(service + " answered " + r.statusCode()))
                    .map(Buffer::toJsonObject)
                    .andThen(result -> {
                        synchronized (this) {
                            inflight = null;
                        }
                        if (result.succeeded()) {
                            document = result.result();
                            fetchedAt = Instant.now();
                            error = null;
                        } else {
                            error = reason(result.cause());
                            Log.debugf("OpenAPI document of %s not fetched: %s", service, result.cause().toString());
                        }
                    }).<Void> mapEmpty().otherwiseEmpty();
            if (!fetch.isComplete()) { // a fetch that failed at once has cleared inflight already
                inflight = fetch;
            }
            return fetch;
        }

        /** Why, in words that name no internal address (the document is public). */
        private String reason(Throwable e) {
            if (e.getMessage() != null && e.getMessage().startsWith(service + " answered ")) {
                return e.getMessage().substring(service.length() + 1);
            }
            String kind = e.getClass().getSimpleName();
            if (e instanceof java.net.ConnectException || kind.contains("Connect")) {
                return "unreachable";
            }
            if (e instanceof java.util.concurrent.TimeoutException || kind.contains("Timeout")) {
                return "did not answer within " + FETCH_TIMEOUT_MS + " ms";
            }
            if (e instanceof io.vertx.core.json.DecodeException || e instanceof ClassCastException) {
                return "did not answer with a JSON document";
            }
            return "unavailable";
        }

        Part part() {
            return new Part(service, document, fetchedAt, error);
        }
    }

    private final HttpClient client;
    private final List<Slot> slots = new ArrayList<>();

    public ServiceDocuments(Vertx vertx, GatewayConfig config) {
        this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) FETCH_TIMEOUT_MS)
                .setMaxPoolSize(1).setKeepAlive(false));
        slots.add(new Slot("events-service", config.eventsManagementUrl()));
        slots.add(new Slot("messaging-service", config.messagingManagementUrl()));
        slots.add(new Slot("notification-service", config.notificationsManagementUrl()));
    }

    void fetchAtStartup(@Observes StartupEvent ignored) {
        slots.forEach(s -> s.refresh(0));
    }

    /**
     * The parts, after fetching the missing ones (within {@link #FETCH_TIMEOUT_MS} each, at most
     * once per {@link #RETRY_MISSING_MS}); never fails.
     */
    public Future<List<Part>> current() {
        List<Future<Void>> waits = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (Slot s : slots) {
            if (s.document == null) {
                waits.add(s.refresh(RETRY_MISSING_MS));
            } else if (now - s.fetchedAt.toEpochMilli() > REFRESH_AFTER_MS) {
                s.refresh(REFRESH_AFTER_MS); // in the background: this request gets the copy held
            }
        }
        return Future.join(waits).transform(ignored -> Future.succeededFuture(snapshot()));
    }

    /** The parts as they are now, without fetching. */
    public List<Part> snapshot() {
        return slots.stream().map(Slot::part).toList();
    }
}
