package io.eventline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.eventline.gateway.HttpWire;

/**
 * The real services' answers through the packaged gateway, over a raw socket: on every proxied
 * prefix a GET, its 304 (when it has an ETag), a HEAD and an OPTIONS, all framed so that one
 * connection carries them all, and none of them a 5xx.
 */
class ProxyFramingIT {

    private static final List<String> PATHS = List.of("/api/events", "/api/events/mine", "/api/bookings/mine",
            "/api/conversations", "/api/messages/unread-count", "/api/notifications", "/api/notifications/unread-count");

    @Test
    void everyProxiedPrefixAnswersGetConditionalGetHeadAndOptionsOnOneConnection() throws IOException {
        Cluster cluster = Cluster.get();
        Rest partner = new Rest(cluster.gatewayA.url(), "partner");
        partner.createEvent("framing");
        String user = "Authorization: Bearer " + new Rest(cluster.gatewayA.url(), "user").token;
        try (HttpWire wire = new HttpWire(URI.create(cluster.gatewayA.url()).getPort(), 10_000)) {
            for (String path : PATHS) {
                // Bookings are a user's; the rest answers a partner.
                List<String> auth = List.of(path.startsWith("/api/bookings") ? user : "Authorization: Bearer " + partner.token);
                HttpWire.Response get = wire.exchange("GET", path, auth, null);
                assertThat(get.status()).as("GET %s", path).isEqualTo(200);
                String etag = get.header("etag");
                if (etag != null) {
                    HttpWire.Response notModified = wire.exchange("GET", path, List.of(auth.get(0), "If-None-Match: " + etag), null);
                    assertThat(notModified.status()).as("conditional GET %s", path).isEqualTo(304);
                    assertThat(notModified.header("transfer-encoding")).as("Transfer-Encoding on the 304 of %s", path).isNull();
                    assertThat(notModified.header("content-length")).as("Content-Length on the 304 of %s", path)
                            .isIn(null, get.header("content-length"));
                    assertThat(notModified.body()).isEmpty();
                }
                HttpWire.Response head = wire.exchange("HEAD", path, auth, null);
                assertThat(head.status()).as("HEAD %s", path).isEqualTo(200);
                assertThat(head.header("transfer-encoding")).as("Transfer-Encoding on HEAD %s", path).isNull();
                assertThat(head.body()).isEmpty();

                HttpWire.Response options = wire.exchange("OPTIONS", path, auth, null);
                assertThat(options.status()).as("OPTIONS %s: %s", path, options.headers()).isBetween(200, 499);
                if (options.status() >= 400) {
                    assertThat(options.header("content-type")).as("OPTIONS %s", path).startsWith("application/problem+json");
                }
            }
            HttpWire.Response last = wire.exchange("GET", "/api/events/mine", List.of("Authorization: Bearer " + partner.token), null);
            assertThat(last.status()).as("the last answer on the connection").isEqualTo(200);
            assertThat(last.text()).contains("framing");
        }
    }
}
