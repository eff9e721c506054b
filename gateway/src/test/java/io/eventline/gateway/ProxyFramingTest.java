package io.eventline.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.eventline.launcher.Command;

/**
 * The proxy frames every answer as RFC 9110/9112 say, whatever the status, the method and the
 * service's own framing, seen by three clients the rest of the suite does not use: a raw socket
 * that reads the exact bytes and then sends a second request on the same connection, the JDK's
 * {@link HttpClient} and Node's fetch. And it drops hop-by-hop headers both ways, and appends to
 * the forwarding headers instead of replacing them. The service is {@link FramingUpstreamResource}.
 */
@QuarkusTest
@WithTestResource(LocalStackTestResource.class)
@WithTestResource(FramingUpstreamResource.class)
class ProxyFramingTest {

    static final List<String> METHODS = List.of("GET", "HEAD", "PUT", "POST", "DELETE");
    static final List<Integer> STATUSES = List.of(200, 201, 204, 304, 404, 412, 428);
    static final List<String> PREFIXES = List.of("/api/events", "/api/bookings", "/api/conversations", "/api/messages",
            "/api/notifications");

    /** One request of the matrix, to a service that frames its body by Content-Length or by chunks. */
    record Case(String method, int status, boolean chunked) {
        String target() {
            return "/api/events/status/" + status + "?body=" + (chunked ? "chunked" : "length");
        }

        boolean bodiless() {
            return method.equals("HEAD") || status == 204 || status == 304;
        }

        byte[] requestBody() {
            return method.equals("PUT") || method.equals("POST") ? ("{\"case\":\"" + this + "\"}").getBytes(StandardCharsets.UTF_8)
                    : null;
        }

        String expectedBody() {
            return bodiless() ? "" : FramingUpstreamResource.body(method, status);
        }

        /** The Content-Length the service sent, which the gateway relays: GET's on a HEAD and a 304. */
        String relayedLength() {
            return chunked || status == 204 ? null
                    : Integer.toString(FramingUpstreamResource.body(method, status).getBytes(StandardCharsets.UTF_8).length);
        }

        /** Exactly the fields the answer has: the service's end-to-end ones and one framing field, if any. */
        List<String> expectedHeaderNames() {
            List<String> names = new ArrayList<>(List.of("content-type", "date", "etag", "x-request-body-bytes", "x-upstream"));
            if (relayedLength() != null) {
                names.add("content-length");
            } else if (!bodiless()) {
                names.add("transfer-encoding");
            }
            return names.stream().sorted().toList();
        }
    }

    static Stream<Case> matrix() {
        return Stream.of(false, true).flatMap(chunked -> METHODS.stream()
                .flatMap(m -> STATUSES.stream().map(s -> new Case(m, s, chunked))));
    }

    @TestHTTPResource("/")
    URL gateway;

    private final HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void aRawSocketReadsExactlyOneWellFramedAnswerAndTheConnectionCarriesTheNext(Case c) throws IOException {
        try (HttpWire wire = new HttpWire(gateway.getPort(), 5_000)) {
            byte[] sent = c.requestBody();
            HttpWire.Response r = wire.exchange(c.method(), c.target(),
                    sent == null ? List.of() : List.of("Content-Type: application/json"), sent);

            assertThat(r.statusLine()).startsWith("HTTP/1.1 " + c.status() + " ");
            assertThat(r.names()).as("the answer's fields").isEqualTo(c.expectedHeaderNames());
            assertThat(r.header("content-length")).as("Content-Length").isEqualTo(
                    c.relayedLength() != null ? c.relayedLength() : null);
            assertThat(r.chunked()).as("Transfer-Encoding: chunked").isEqualTo(!c.bodiless() && c.chunked());
            assertThat(r.text()).isEqualTo(c.expectedBody());
            assertThat(r.header("x-request-body-bytes")).isEqualTo(Integer.toString(sent == null ? 0 : sent.length));

            HttpWire.Response next = wire.exchange("GET", "/api/events/status/200?body=length", List.of(), null);
            assertThat(next.status()).as("the second answer on the connection").isEqualTo(200);
            assertThat(next.text()).isEqualTo(FramingUpstreamResource.body("GET", 200));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("matrix")
    void theJdkClientGetsTheServicesStatusHeadersAndBody(Case c) throws Exception {
        byte[] sent = c.requestBody();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(c.target()))).timeout(Duration.ofSeconds(5))
                .method(c.method(), sent == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(sent));
        HttpResponse<String> r = jdk.send(request.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(c.status());
        assertThat(r.body()).isEqualTo(c.expectedBody());
        assertThat(r.headers().firstValue("content-length")).as("Content-Length").isEqualTo(java.util.Optional.ofNullable(c.relayedLength()));
        assertThat(r.headers().firstValue("transfer-encoding")).as("Transfer-Encoding")
                .isEqualTo(c.bodiless() || !c.chunked() ? java.util.Optional.empty() : java.util.Optional.of("chunked"));
        assertThat(r.headers().firstValue("etag")).hasValue("\"7\"");
        assertThat(r.headers().firstValue("x-request-body-bytes")).hasValue(Integer.toString(sent == null ? 0 : sent.length));
    }

    @Test
    void nodeFetchGetsTheWholeMatrixFramedCorrectly() throws Exception {
        Path script = Path.of("src", "test", "node", "proxy-framing.mjs").toAbsolutePath();
        Command.Result node = Command.of("node", script.toString(), url("").replaceAll("/$", "")).run(Duration.ofSeconds(120));
        assertThat(node.exitCode()).as("node's exit status: %s", node.output()).isZero();
        assertThat(node.output()).contains("75 cases passed");
    }

    @Test
    void headAndOptionsOnEveryProxiedPrefixAreAnsweredAndFramed() throws IOException {
        try (HttpWire wire = new HttpWire(gateway.getPort(), 5_000)) {
            for (String prefix : PREFIXES) {
                HttpWire.Response head = wire.exchange("HEAD", prefix + "/status/200?body=length", List.of(), null);
                assertThat(head.status()).as("HEAD %s", prefix).isEqualTo(200);
                assertThat(head.header("content-length")).as("HEAD %s", prefix)
                        .isEqualTo(Integer.toString(FramingUpstreamResource.body("HEAD", 200).length()));
                assertThat(head.header("transfer-encoding")).as("HEAD %s", prefix).isNull();

                HttpWire.Response options = wire.exchange("OPTIONS", prefix + "/status/200?body=chunked", List.of(), null);
                assertThat(options.status()).as("OPTIONS %s", prefix).isEqualTo(200);
                assertThat(options.text()).isEqualTo(FramingUpstreamResource.body("OPTIONS", 200));
            }
        }
    }

    @Test
    void theHeadersThatConnectionNamesReachNeitherTheServiceNorTheClient() throws IOException {
        try (HttpWire wire = new HttpWire(gateway.getPort(), 5_000)) {
            HttpWire.Response r = wire.exchange("GET", "/api/events/echo",
                    List.of("Connection: keep-alive, X-Secret", "X-Secret: s3cret", "Keep-Alive: timeout=5", "TE: trailers",
                            "Proxy-Authorization: Basic Zm9vOmJhcg==", "X-Kept: yes"),
                    null);
            assertThat(r.status()).isEqualTo(200);
            List<String> seen = r.text().lines().map(l -> l.substring(0, l.indexOf(':'))).toList();
            assertThat(seen).as("what the service received").contains("x-kept")
                    .doesNotContain("x-secret", "connection", "keep-alive", "te", "proxy-authorization");
            assertThat(r.names()).as("what the client received").doesNotContain("x-upstream-hop", "keep-alive")
                    .contains("x-upstream");
            assertThat(r.all("connection")).as("the service's Connection header").noneMatch(v -> v.contains("X-Upstream-Hop"));

            HttpWire.Response next = wire.exchange("GET", "/api/events/status/200?body=length", List.of(), null);
            assertThat(next.status()).isEqualTo(200);
        }
    }

    @Test
    void theForwardingHeadersAreAppendedToNotReplaced() throws IOException {
        try (HttpWire wire = new HttpWire(gateway.getPort(), 5_000)) {
            HttpWire.Response r = wire.exchange("GET", "/api/events/echo",
                    List.of("X-Forwarded-For: 203.0.113.7, 198.51.100.2", "X-Forwarded-For: 192.0.2.1",
                            "X-Forwarded-Proto: https", "X-Forwarded-Host: eventline.example",
                            "Forwarded: for=203.0.113.7;proto=https;host=eventline.example"),
                    null);
            List<String> seen = r.text().lines().toList();
            assertThat(seen).contains("x-forwarded-for: 203.0.113.7, 198.51.100.2, 192.0.2.1, 127.0.0.1",
                    "x-forwarded-proto: https, http", "x-forwarded-host: eventline.example, localhost",
                    "forwarded: for=203.0.113.7;proto=https;host=eventline.example, for=127.0.0.1;proto=http;host=\"localhost\"");

            HttpWire.Response alone = wire.exchange("GET", "/api/events/echo", List.of(), null);
            assertThat(alone.text().lines().toList()).contains("x-forwarded-for: 127.0.0.1", "x-forwarded-proto: http",
                    "x-forwarded-host: localhost", "forwarded: for=127.0.0.1;proto=http;host=\"localhost\"");
        }
    }

    private String url(String path) {
        return "http://localhost:" + gateway.getPort() + path;
    }
}
