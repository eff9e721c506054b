package io.eventline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.eventline.launcher.ServiceProcess;
import io.eventline.launcher.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What operators rely on, checked against the running system: every metric the Grafana
 * dashboard in k8s/ queries is exported by a running service, and a gateway started without its
 * secret or without a reachable broker says so instead of starting half-configured.
 */
class DeploymentIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Set<String> PROMQL_WORDS = Set.of("histogram_quantile", "label_replace", "label_join",
            "count_values", "quantile_over_time", "avg_over_time", "max_over_time", "min_over_time", "sum_over_time",
            "rate_interval");

    @Test
    void everyMetricTheDashboardQueriesIsExportedByARunningService() throws Exception {
        Cluster cluster = Cluster.get();
        StringBuilder scraped = new StringBuilder();
        for (ServiceProcess s : List.of(cluster.events, cluster.messaging, cluster.notifications, cluster.gatewayA)) {
            scraped.append(HTTP.send(HttpRequest.newBuilder(URI.create(s.managementUrl() + "/q/metrics")).timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).append('\n');
        }
        Set<String> exported = new TreeSet<>();
        for (String line : scraped.toString().split("\n")) {
            Matcher m = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)").matcher(line);
            if (!line.startsWith("#") && m.find()) {
                exported.add(m.group(1));
            }
        }
        List<String> queries = new ArrayList<>();
        collectExpressions(new JsonObject(Files.readString(Modules.ROOT.resolve("k8s/base/monitoring/eventline-dashboard.json"))),
                queries);
        assertThat(queries).as("the dashboard's queries").hasSizeGreaterThan(10);
        Map<String, String> missing = new LinkedHashMap<>();
        for (String query : queries) {
            for (String metric : metricNames(query)) {
                if (!exported.contains(metric)) {
                    missing.put(metric, query);
                }
            }
        }
        assertThat(missing).as("metrics the dashboard queries that no running service exports").isEmpty();
    }

    private static void collectExpressions(Object node, List<String> out) {
        if (node instanceof JsonObject o) {
            if (o.getValue("expr") instanceof String expr) {
                out.add(expr);
            }
            o.forEach(e -> collectExpressions(e.getValue(), out));
        } else if (node instanceof JsonArray a) {
            a.forEach(v -> collectExpressions(v, out));
        }
    }

    /** The metric names in a PromQL expression: identifiers with an underscore, outside label matchers and groupings. */
    static Set<String> metricNames(String query) {
        String q = query.replaceAll("\\{[^}]*\\}", " ").replaceAll("\\[[^\\]]*\\]", " ")
                .replaceAll("\\b(by|without)\\s*\\([^)]*\\)", " ").replaceAll("\\$\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(q);
        while (m.find()) {
            String word = m.group();
            if (word.contains("_") && !PROMQL_WORDS.contains(word)) {
                names.add(word);
            }
        }
        return names;
    }

    /** Every /q/* a Quarkus service may serve: the public listener must answer none of them. */
    private static final List<String> MANAGEMENT_PATHS = List.of("/q/health", "/q/health/live", "/q/health/ready",
            "/q/health/started", "/q/metrics", "/q/openapi", "/q/openapi?format=json", "/q/dev-ui/", "/q/");

    @Test
    void managementEndpointsAreOnTheManagementPortOnlyAlsoInTheProdProfile() throws Exception {
        Cluster cluster = Cluster.get();
        ServiceProcess prod = Modules.start("gateway", Ports.free(), cluster.prodGatewayEnv(),
                Path.of("target", "it-logs", "prod-management"));
        try {
            prod.awaitReady(Duration.ofSeconds(90));
            for (ServiceProcess s : List.of(cluster.events, cluster.messaging, cluster.notifications, cluster.gatewayA, prod)) {
                String name = s == prod ? "the prod-profile gateway" : s.url();
                for (String path : MANAGEMENT_PATHS) {
                    assertThat(status(s.url() + path)).as("%s: GET %s on the public port", name, path).isEqualTo(404);
                }
                assertThat(status(s.managementUrl() + "/q/health/ready")).as("%s: readiness on the management port", name)
                        .isEqualTo(200);
                assertThat(status(s.managementUrl() + "/q/metrics")).as("%s: metrics on the management port", name).isEqualTo(200);
                assertThat(status(s.managementUrl() + "/q/openapi")).as("%s: OpenAPI on the management port", name).isEqualTo(200);
            }
            // The public aggregate still holds the services' documents, fetched from their management ports.
            JsonObject doc = new JsonObject(get(prod.url() + "/api/openapi", null).body());
            assertThat(doc.getJsonObject("paths").fieldNames()).contains("/api/events", "/api/conversations", "/api/notifications");
        } finally {
            prod.stop();
        }
    }

    @Test
    void withoutItsStreamSecretAProductionGatewayRefusesToStartAndNamesIt() throws Exception {
        Cluster cluster = Cluster.get();
        Map<String, String> env = new LinkedHashMap<>(cluster.stack.serviceEnv(null));
        env.put("QUARKUS_PROFILE", "prod");
        env.put("EVENTLINE_JWT_ISSUER", env.get("MP_JWT_VERIFY_ISSUER"));
        env.put("EVENTLINE_JWT_PUBLIC_KEY_LOCATION", env.get("MP_JWT_VERIFY_PUBLICKEY_LOCATION"));
        env.put("EVENTLINE_JWT_AUDIENCE", "eventline"); // everything else it needs, so the secret is what is missing
        env.put("EVENTLINE_ALLOW_DEV_KEY", "true");
        Path logs = Path.of("target", "it-logs", "no-secret");
        ServiceProcess gateway = Modules.start("gateway", Ports.free(), env, logs);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !gateway.isAlive());
            assertThat(Files.readString(logs.resolve("gateway.log"))).contains("eventline.stream.secret");
        } finally {
            gateway.stop();
        }
    }

    @Test
    void withAnUnreachableBrokerTheGatewayIsLiveButNotReadyAndRefusesStreamsWith503() throws Exception {
        Cluster cluster = Cluster.get();
        Map<String, String> env = new LinkedHashMap<>(cluster.stack.serviceEnv(null));
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + Ports.free());
        Path logs = Path.of("target", "it-logs", "no-broker");
        ServiceProcess gateway = Modules.start("gateway", Ports.free(), env, logs);
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> status(gateway.managementUrl() + "/q/health/live") == 200);
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(logs.resolve("gateway.log"))
                    .contains("cannot read the change topics yet"));
            assertThat(gateway.isAlive()).isTrue();
            HttpResponse<String> ready = get(gateway.managementUrl() + "/q/health/ready", null);
            assertThat(ready.statusCode()).isEqualTo(503);
            JsonObject stream = checks(new JsonObject(ready.body())).get("live stream");
            assertThat(stream).as("the readiness check of the stream, in " + ready.body()).isNotNull();
            assertThat(stream.getString("status")).isEqualTo("DOWN");
            // Who you are is checked before whether the gateway can serve you.
            assertThat(status(gateway.url() + "/api/stream")).as("a stream without a token").isEqualTo(401);

            // A stream needs the dispatcher: a valid caller is told to retry, not given a stream that never gets a record.
            try (SseClient refused = SseClient.open(gateway.url() + "/api/stream", new Rest(gateway.url(), "user").token, null)) {
                assertThat(refused.status()).as("a stream needs the dispatcher").isEqualTo(503);
                assertThat(refused.contentType()).startsWith("application/problem+json");
                assertThat(refused.header("Retry-After")).isNotNull();
                JsonObject problem = new JsonObject(refused.errorBody());
                assertThat(problem.getInteger("status")).isEqualTo(503);
                assertThat(problem.getString("type")).endsWith("/stream-unavailable");
            }
        } finally {
            gateway.stop();
        }
    }

    @Test
    void withAnUnreachableBrokerAServiceIsLiveButNotReadyAndSaysWhy() throws Exception {
        Cluster cluster = Cluster.get();
        Map<String, String> env = new LinkedHashMap<>(cluster.stack.serviceEnv("gwit_no_broker"));
        env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + Ports.free());
        Path logs = Path.of("target", "it-logs", "no-broker-service");
        ServiceProcess events = Modules.start("events-service", Ports.free(), env, logs);
        try {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> status(events.managementUrl() + "/q/health/live") == 200);
            assertThat(status(events.managementUrl() + "/q/health/ready")).isEqualTo(503);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(logs.resolve("events-service.log"))
                    .contains("has not answered since this instance started"));
            assertThat(events.isAlive()).isTrue();
        } finally {
            events.stop();
        }
    }

    @Test
    void onShutdownTheGatewayClosesItsStreamsSpreadOverTheDrainPeriod() throws Exception {
        Cluster cluster = Cluster.get();
        Map<String, String> env = new LinkedHashMap<>(cluster.stack.serviceEnv(null));
        env.put("EVENTLINE_STREAM_DRAIN_PERIOD", "4s");
        Path logs = Path.of("target", "it-logs", "drain");
        ServiceProcess gateway = Modules.start("gateway", Ports.free(), env, logs);
        List<SseClient> streams = new ArrayList<>();
        try {
            gateway.awaitReady(Duration.ofSeconds(60));
            for (int i = 0; i < 30; i++) {
                SseClient s = SseClient.open(gateway.url() + "/api/stream", new Rest(gateway.url(), "user").token, null);
                assertThat(s.next(Duration.ofSeconds(5)).event()).isEqualTo("ready");
                streams.add(s);
            }
            long sigterm = System.nanoTime();
            Thread stopper = Thread.ofVirtual().start(gateway::stop); // SIGTERM, then waits for the exit
            List<Long> closedAfterMillis = new ArrayList<>();
            for (SseClient s : streams) {
                s.awaitEnd(Duration.ofSeconds(15));
            }
            // Each client saw its end when its reader thread did; read the order from the arrival of END.
            for (SseClient s : streams) {
                closedAfterMillis.add((s.endedAtNanos() - sigterm) / 1_000_000);
            }
            stopper.join(Duration.ofSeconds(30));
            long first = closedAfterMillis.stream().mapToLong(Long::longValue).min().orElseThrow();
            long last = closedAfterMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
            System.out.printf("drain: 30 streams closed between %d and %d ms after SIGTERM%n", first, last);
            assertThat(last - first).as("closes spread over the drain period, not all at once").isGreaterThan(1_500);
            assertThat(last).as("all closed within the drain period and a margin").isLessThan(8_000);
            assertThat(gateway.isAlive()).isFalse();
        } finally {
            streams.forEach(SseClient::close);
            gateway.stop();
        }
    }

    private static int status(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** A GET with a bound, as a bearer of {@code token} (null for none). */
    private static HttpResponse<String> get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The checks of a MicroProfile Health answer, by name. */
    private static Map<String, JsonObject> checks(JsonObject health) {
        Map<String, JsonObject> byName = new LinkedHashMap<>();
        for (Object check : health.getJsonArray("checks")) {
            JsonObject c = (JsonObject) check;
            byName.put(c.getString("name"), c);
        }
        return byName;
    }
}
