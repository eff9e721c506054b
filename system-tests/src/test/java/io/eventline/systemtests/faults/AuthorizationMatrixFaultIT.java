package io.eventline.systemtests.faults;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.eventline.systemtests.AgainstCluster;
import io.eventline.systemtests.Cluster;
import io.eventline.systemtests.Modules;
import io.eventline.systemtests.Rest;
import io.eventline.systemtests.SseClient;
import io.eventline.localstack.DevTokens;
import io.eventline.launcher.ServiceProcess;
import io.eventline.launcher.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Scenario 7, the authorisation matrix: every endpoint of docs/api.md that takes a token (including the three the
 * services add for the gateway's summary), called through gateway A by fourteen identities.
 *
 * <p><b>Load:</b> 32 endpoints in 33 rows (an event is read both pending and approved) × 14
 * identities = 462 calls. Each cell is one real HTTP call, with a freshly prepared
 * fixture where the call consumes state (an approve, a reject, a submit, a cancel, an edit, a booking
 * to cancel each get their own event or booking per identity), so that no answer depends on the
 * one before it. Every fixture is created through the API with new subs, so runs never share data.
 *
 * <p><b>Fault:</b> five tokens that must never be accepted, each carrying the real claims of the
 * row's owner (sub, role, issuer): none at all; expired an hour ago (dev key); RS256 from a key
 * pair made here; {@code alg: none} with an empty signature; HS256 keyed with the dev public key
 * file (the algorithm-confusion attack). Five that are validly signed by the dev key but are not
 * one Eventline caller ({@code io.eventline.changerecord.Roles}): minted for another audience, with
 * groups {@code ["admin","user"]}, {@code []} or {@code ["superadmin"]}, and without {@code sub}; each is
 * refused with the same 401 on the API and on the stream. And four real identities: the row's owner,
 * another partner, an admin and a user, none of whom owns the fixture except the owner.
 * {@link #theDevelopmentKeyIsRefusedUnderProd} starts every service and a gateway in the prod
 * profile with the development key and sees each refuse to start.
 *
 * <p><b>Checks:</b> each status against {@link #EXPECTED} (docs/api.md, "Identity and tokens": 401 without a valid
 * token, 403 for the wrong role or a foreign resource the caller may know of, 404 for one it may
 * not know exists); every 4xx is {@code application/problem+json} with the same {@code status} in
 * its body; a stream that opens is {@code text/event-stream} and starts with {@code ready}; 5xx are
 * counted. All differences are collected and reported at once. The observed matrix is written to
 * {@code target/faults/security-matrix.md} and, with {@code -Dfaults.write-docs=true}, into
 * {@code docs/security.md} between its {@code matrix} markers.
 */
class AuthorizationMatrixFaultIT extends AgainstCluster {

    /** The columns, in the order of {@link #EXPECTED}: {@code code} there, {@code title} in the docs. */
    enum Who {
        NO_TOKEN("none", "no token"),
        EXPIRED("expired", "expired"),
        WRONG_KEY("key", "other key"),
        ALG_NONE("algnone", "alg: none"),
        HS256("hs256", "HS256 / public key"),
        OTHER_AUDIENCE("aud", "other audience"),
        TWO_ROLES("tworoles", "[admin, user]"),
        NO_ROLE("norole", "groups []"),
        UNKNOWN_ROLE("unknown", "[superadmin]"),
        NO_SUB("nosub", "no sub"),
        OWNER("owner", "owner"),
        PARTNER("partner", "another partner"),
        ADMIN("admin", "admin"),
        USER("user", "user");

        final String code;
        final String title;

        Who(String code, String title) {
            this.code = code;
            this.title = title;
        }
    }

    /**
     * What each identity must get. "owner" is the row's owner (see {@link #endpoints}: the event's
     * partner, the booking's user, a participant, the recipient); "partner", "admin" and "user" own
     * nothing there. Rows marked † are not called by the web app itself but are reachable through the
     * gateway (the summary's sources); they follow the same rules (docs/api.md, "Identity and tokens").
     */
    private static final String EXPECTED = """
            | endpoint                                | none | expired | key | algnone | hs256 | aud | tworoles | norole | unknown | nosub | owner | partner | admin | user |
            | --------------------------------------- | ---- | ------- | --- | ------- | ----- | --- | -------- | ------ | ------- | ----- | ----- | ------- | ----- | ---- |
            | POST /api/events                        | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 201   | 201     | 403   | 403  |
            | GET /api/events                         | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | GET /api/events/mine                    | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 403   | 403  |
            | GET /api/events/review                  | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 403   | 403     | 200   | 403  |
            | GET /api/events/{id} (pending)          | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 404     | 200   | 404  |
            | GET /api/events/{id} (approved)         | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | PUT /api/events/{id}                    | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 403     | 403   | 403  |
            | POST /api/events/{id}/submit            | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 404     | 403   | 403  |
            | POST /api/events/{id}/approve           | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 403   | 403     | 200   | 403  |
            | POST /api/events/{id}/reject            | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 403   | 403     | 200   | 403  |
            | POST /api/events/{id}/revision/approve  | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 403   | 403     | 200   | 403  |
            | POST /api/events/{id}/revision/reject   | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 403   | 403     | 200   | 403  |
            | POST /api/events/{id}/cancel            | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 403     | 200   | 403  |
            | POST /api/events/{id}/bookings          | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 403   | 403     | 403   | 201  |
            | DELETE /api/bookings/{id}               | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 403     | 403   | 404  |
            | GET /api/bookings/mine                  | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 403     | 403   | 200  |
            | GET /api/events/counts †                | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | GET /api/bookings/count †               | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | GET /api/bookings/{id} †                | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 404     | 200   | 404  |
            | POST /api/conversations                 | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 201   | 201     | 201   | 201  |
            | GET /api/conversations                  | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | GET /api/conversations/{id}             | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 404     | 404   | 404  |
            | GET /api/conversations/{id}/messages    | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 404     | 404   | 404  |
            | POST /api/conversations/{id}/messages   | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 201   | 404     | 404   | 404  |
            | POST /api/conversations/{id}/read       | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 404     | 404   | 404  |
            | GET /api/messages/unread-count          | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | GET /api/notifications                  | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | GET /api/notifications/unread-count     | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | POST /api/notifications/{id}/read       | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 404     | 404   | 404  |
            | POST /api/notifications/read-all        | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | GET /api/me/summary                     | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | POST /api/stream/tickets                | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            | GET /api/stream                         | 401  | 401     | 401 | 401     | 401   | 401 | 401      | 401    | 401     | 401   | 200   | 200     | 200   | 200  |
            """;

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    private static final String BEGIN = "<!-- matrix:begin -->";
    private static final String END = "<!-- matrix:end -->";

    /** One request: the path is already resolved to the cell's fixture. */
    record Call(String method, String path, JsonObject body, String... headers) {
    }

    /** A row: who owns its fixture (whose claims the forged tokens carry), and how to prepare a call. */
    record Endpoint(String label, Rest owner, String on, Function<Who, Call> prepare) {
    }

    /** What came back. */
    record Observed(int status, String contentType, String body, String note) {
    }

    static String base;
    /** P owns the events; U holds the bookings, started the conversation and receives the notification. */
    static Rest p;
    static Rest u;
    /** The three identities that own nothing here. */
    static Rest otherPartner;
    static Rest admin;
    static Rest otherUser;

    @BeforeAll
    static void up() {
        base = Cluster.get().gatewayA.url();
        p = new Rest(base, "partner");
        u = new Rest(base, "user");
        otherPartner = new Rest(base, "partner");
        admin = new Rest(base, "admin");
        otherUser = new Rest(base, "user");
    }

    @Test
    void everyEndpointAnswersEveryIdentityAsDesigned() throws IOException {
        Map<String, Map<Who, Integer>> expected = parse(EXPECTED);
        Map<String, Endpoint> endpoints = endpoints();
        if (!expected.keySet().equals(endpoints.keySet())) {
            Set<String> onlyTable = new LinkedHashSet<>(expected.keySet());
            onlyTable.removeAll(endpoints.keySet());
            Set<String> onlyCode = new LinkedHashSet<>(endpoints.keySet());
            onlyCode.removeAll(expected.keySet());
            throw new AssertionError("the expected table and the endpoints differ: only in the table " + onlyTable
                    + ", only in the code " + onlyCode);
        }

        Map<String, Map<Who, Observed>> observed = new LinkedHashMap<>();
        List<String> mismatches = new ArrayList<>();
        long serverErrors = 0;
        int calls = 0;
        for (Map.Entry<String, Map<Who, Integer>> row : expected.entrySet()) {
            Endpoint endpoint = endpoints.get(row.getKey());
            Map<Who, Observed> cells = new EnumMap<>(Who.class);
            for (Who who : Who.values()) {
                Call call = endpoint.prepare().apply(who);
                Observed o = send(call, token(endpoint, who));
                calls++;
                cells.put(who, o);
                int want = row.getValue().get(who);
                String where = row.getKey() + " as " + who.title + " (" + call.method() + " " + call.path() + ")";
                if (o.status() >= 500) {
                    serverErrors++;
                }
                if (o.status() != want) {
                    mismatches.add(where + ": expected " + want + ", got " + o.status() + " " + abbreviate(o.body()));
                }
                if (o.status() >= 400 && o.status() < 500) {
                    String problem = problemDefect(o);
                    if (problem != null) {
                        mismatches.add(where + ": a " + o.status() + " that is not problem+json: " + problem);
                    }
                }
                if (o.note() != null) {
                    mismatches.add(where + ": " + o.note());
                }
            }
            observed.put(row.getKey(), cells);
        }

        String table = render(expected, observed, endpoints, calls, mismatches.size());
        Path out = Path.of("target", "faults", "security-matrix.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table, StandardCharsets.UTF_8);
        if ("true".equals(System.getProperty("faults.write-docs"))) {
            writeIntoDocs(Modules.ROOT.resolve("docs/security.md"), table);
        }

        long distinct = expected.keySet().stream().map(l -> l.replaceAll(" \\(.*\\)$", "")).distinct().count();
        FaultReport.row("7", "Authorisation matrix",
                distinct + " endpoints (" + expected.size() + " rows) × " + Who.values().length + " identities",
                "bad, foreign and forged tokens; other owners", 0, 0, serverErrors, null,
                mismatches.isEmpty() ? calls + " statuses as expected"
                        : calls + " statuses checked, " + mismatches.size() + " findings");
        if (!mismatches.isEmpty()) {
            throw new AssertionError(mismatches.size() + " findings in " + calls + " calls (matrix in " + out
                    + "):\n  " + String.join("\n  ", mismatches));
        }
    }

    /**
     * The dev key under prod: each of the four, in the prod profile with everything it needs and
     * the committed development key, exits at start saying why; with the loud opt-in
     * ({@code EVENTLINE_ALLOW_DEV_KEY=true}, what docker-compose sets) the same configuration starts,
     * so it is the key that was refused, not something else missing. And prod without an audience
     * does not start either.
     */
    @Test
    void theDevelopmentKeyIsRefusedUnderProd() throws IOException {
        Cluster cluster = Cluster.get();
        Map<String, Map<String, String>> envs = new LinkedHashMap<>();
        for (String module : List.of("events-service", "messaging-service", "notification-service")) {
            Map<String, String> env = prodEnv();
            String database = "prodkey_" + module.replace("-service", "") + "_" + UUID.randomUUID().toString().substring(0, 8);
            env.put("EVENTLINE_DB_URL", cluster.stack.jdbcUrl(database));
            env.put("EVENTLINE_DB_USER", cluster.stack.dbUsername());
            env.put("EVENTLINE_DB_PASSWORD", cluster.stack.dbPassword());
            envs.put(module, env);
        }
        Map<String, String> gateway = prodEnv();
        gateway.put("EVENTLINE_EVENTS_URL", cluster.events.url());
        gateway.put("EVENTLINE_MESSAGING_URL", cluster.messaging.url());
        gateway.put("EVENTLINE_NOTIFICATION_URL", cluster.notifications.url());
        gateway.put("EVENTLINE_STREAM_SECRET", "prod-profile-test-stream-secret-0123456789");
        envs.put("gateway", gateway);

        Map<String, String> noAudience = new LinkedHashMap<>(gateway);
        noAudience.remove("EVENTLINE_JWT_AUDIENCE");
        noAudience.put("EVENTLINE_ALLOW_DEV_KEY", "true");
        assertRefusesToStart("gateway", noAudience, "no-audience", "EVENTLINE_JWT_AUDIENCE");

        for (Map.Entry<String, Map<String, String>> e : envs.entrySet()) {
            assertRefusesToStart(e.getKey(), e.getValue(), "dev-key", "DEVELOPMENT public key");
        }
        for (String module : List.of("events-service", "gateway")) {
            Map<String, String> optedIn = new LinkedHashMap<>(envs.get(module));
            optedIn.put("EVENTLINE_ALLOW_DEV_KEY", "true");
            ServiceProcess started = Modules.start(module,
                    Ports.free(), optedIn, Path.of("target", "it-logs", "prod-dev-key-opted-in"));
            try {
                started.awaitReady(Duration.ofSeconds(120));
            } finally {
                started.stop();
            }
        }
    }

    /** The prod profile with the development key and issuer (as docker-compose had it), the audience and Kafka. */
    private static Map<String, String> prodEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_PROFILE", "prod");
        env.put("KAFKA_BOOTSTRAP_SERVERS", Cluster.get().stack.kafkaBootstrapServers());
        env.put("EVENTLINE_JWT_ISSUER", DevTokens.ISSUER);
        env.put("EVENTLINE_JWT_PUBLIC_KEY_LOCATION", DevTokens.publicKeyFile().toUri().toString());
        env.put("EVENTLINE_JWT_AUDIENCE", DevTokens.AUDIENCE);
        return env;
    }

    private static void assertRefusesToStart(String module, Map<String, String> env, String label, String why)
            throws IOException {
        Path logs = Path.of("target", "it-logs", "prod-" + label + "-" + module);
        ServiceProcess process = Modules.start(module,
                Ports.free(), env, logs);
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .failFast(module + " answered ready under prod (" + label + ")", process::isReady)
                    .until(() -> !process.isAlive());
        } finally {
            process.stop();
        }
        String log = Files.readString(logs.resolve(module + ".log"), StandardCharsets.UTF_8);
        if (!log.contains(why)) {
            throw new AssertionError(module + " exited under prod (" + label + ") but not because of '" + why
                    + "'; its log ends:\n" + log.substring(Math.max(0, log.length() - 3000)));
        }
    }

    // The rows: who owns what, and the call each identity makes.

    private static Map<String, Endpoint> endpoints() {
        // Shared fixtures, for the calls that do not consume state.
        String pending = pendingEvent();
        JsonObject approved = approvedEvent();
        String approvedId = approved.getString("id");
        String booking = u.book(approvedId, 1).getString("id");
        String conversation = u.conversation(p.sub).getString("id");
        long seq = u.send(conversation, "hello from the matrix").getLong("seq");
        String notification = u.awaitNotification("BOOKING_CONFIRMED", booking);

        Map<String, Endpoint> rows = new LinkedHashMap<>();
        add(rows, "POST /api/events", p, "a partner creating (owner: P)",
                who -> new Call("POST", "/api/events", eventBody()));
        add(rows, "GET /api/events", p, "the catalog (owner: P)", who -> get("/api/events"));
        add(rows, "GET /api/events/mine", p, "a partner's list (owner: P)", who -> get("/api/events/mine"));
        add(rows, "GET /api/events/review", p, "the review queue (owner: P)", who -> get("/api/events/review"));
        add(rows, "GET /api/events/{id} (pending)", p, "P's PENDING_APPROVAL event (owner: P)",
                who -> get("/api/events/" + pending));
        add(rows, "GET /api/events/{id} (approved)", p, "P's APPROVED event (owner: P)",
                who -> get("/api/events/" + approvedId));
        add(rows, "PUT /api/events/{id}", p, "a new APPROVED event of P per call, current If-Match (owner: P)", who -> {
            JsonObject e = approvedEvent();
            JsonObject body = new JsonObject().put("title", e.getString("title") + " (edited)")
                    .put("description", e.getString("description")).put("venue", e.getString("venue"))
                    .put("startsAt", e.getString("startsAt")).put("endsAt", e.getString("endsAt"))
                    .put("capacity", e.getInteger("capacity"));
            return new Call("PUT", "/api/events/" + e.getString("id"), body, "If-Match",
                    "\"" + e.getLong("version") + "\"");
        });
        add(rows, "POST /api/events/{id}/submit", p, "a new DRAFT event of P per call (owner: P)",
                who -> new Call("POST", "/api/events/" + draftEvent() + "/submit", null));
        add(rows, "POST /api/events/{id}/approve", p, "a new PENDING_APPROVAL event of P per call (owner: P)",
                who -> new Call("POST", "/api/events/" + pendingEvent() + "/approve", null));
        add(rows, "POST /api/events/{id}/reject", p, "a new PENDING_APPROVAL event of P per call (owner: P)",
                who -> new Call("POST", "/api/events/" + pendingEvent() + "/reject",
                        new JsonObject().put("reason", "not this time")));
        add(rows, "POST /api/events/{id}/revision/approve", p,
                "a new APPROVED event of P with a pending revision per call (owner: P)",
                who -> new Call("POST", "/api/events/" + revisedEvent() + "/revision/approve", null));
        add(rows, "POST /api/events/{id}/revision/reject", p,
                "a new APPROVED event of P with a pending revision per call (owner: P)",
                who -> new Call("POST", "/api/events/" + revisedEvent() + "/revision/reject",
                        new JsonObject().put("reason", "not this time")));
        add(rows, "POST /api/events/{id}/cancel", p, "a new APPROVED event of P per call (owner: P)",
                who -> new Call("POST", "/api/events/" + approvedEvent().getString("id") + "/cancel", null));
        add(rows, "POST /api/events/{id}/bookings", p, "P's APPROVED event, 1 seat (owner: P, its partner)",
                who -> new Call("POST", "/api/events/" + approvedId + "/bookings", new JsonObject().put("seats", 1)));
        add(rows, "DELETE /api/bookings/{id}", u, "a new booking of U per call (owner: U, its user)",
                who -> new Call("DELETE", "/api/bookings/" + u.book(approvedId, 1).getString("id"), null));
        add(rows, "GET /api/bookings/mine", u, "a user's list (owner: U, who holds bookings)",
                who -> get("/api/bookings/mine"));
        add(rows, "GET /api/events/counts †", p, "the summary's event counts (owner: P)",
                who -> get("/api/events/counts"));
        add(rows, "GET /api/bookings/count †", u, "the summary's booking count (owner: U)",
                who -> get("/api/bookings/count"));
        add(rows, "GET /api/bookings/{id} †", u, "U's booking on P's event (owner: U, its user)",
                who -> get("/api/bookings/" + booking));
        add(rows, "POST /api/conversations", u, "a conversation with a new sub (owner: U)",
                who -> new Call("POST", "/api/conversations", new JsonObject()
                        .put("participantIds", new JsonArray().add("matrix-peer-" + UUID.randomUUID()))
                        .put("subject", "matrix")));
        add(rows, "GET /api/conversations", u, "the caller's conversations (owner: U)", who -> get("/api/conversations"));
        add(rows, "GET /api/conversations/{id}", u, "U's conversation with P (owner: U, a participant)",
                who -> get("/api/conversations/" + conversation));
        add(rows, "GET /api/conversations/{id}/messages", u, "U's conversation with P (owner: U, a participant)",
                who -> get("/api/conversations/" + conversation + "/messages"));
        add(rows, "POST /api/conversations/{id}/messages", u, "U's conversation with P (owner: U, a participant)",
                who -> new Call("POST", "/api/conversations/" + conversation + "/messages",
                        new JsonObject().put("body", "as " + who.title)));
        add(rows, "POST /api/conversations/{id}/read", u, "U's conversation with P, upToSeq 1 (owner: U, a participant)",
                who -> new Call("POST", "/api/conversations/" + conversation + "/read",
                        new JsonObject().put("upToSeq", seq)));
        add(rows, "GET /api/messages/unread-count", u, "the caller's count (owner: U)",
                who -> get("/api/messages/unread-count"));
        add(rows, "GET /api/notifications", u, "the caller's list (owner: U)", who -> get("/api/notifications"));
        add(rows, "GET /api/notifications/unread-count", u, "the caller's count (owner: U)",
                who -> get("/api/notifications/unread-count"));
        add(rows, "POST /api/notifications/{id}/read", u, "U's BOOKING_CONFIRMED (owner: U, its recipient)",
                who -> new Call("POST", "/api/notifications/" + notification + "/read", null));
        add(rows, "POST /api/notifications/read-all", u, "the caller's notifications (owner: U)",
                who -> new Call("POST", "/api/notifications/read-all", null));
        add(rows, "GET /api/me/summary", u, "the caller's counters (owner: U)", who -> get("/api/me/summary"));
        add(rows, "POST /api/stream/tickets", u, "a ticket for the caller (owner: U)",
                who -> new Call("POST", "/api/stream/tickets", null));
        add(rows, "GET /api/stream", u, "the caller's stream, bearer token (owner: U)", who -> get("/api/stream"));
        return rows;
    }

    private static void add(Map<String, Endpoint> rows, String label, Rest owner, String on, Function<Who, Call> prepare) {
        if (rows.put(label, new Endpoint(label, owner, on, prepare)) != null) {
            throw new IllegalStateException("two rows named " + label);
        }
    }

    private static Call get(String path) {
        return new Call("GET", path, null);
    }

    // Fixtures, through the API.

    private static JsonObject eventBody() {
        Instant start = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        return new JsonObject().put("title", "matrix " + UUID.randomUUID()).put("venue", "Hall")
                .put("startsAt", start.toString()).put("endsAt", start.plus(2, ChronoUnit.HOURS).toString())
                .put("capacity", 50);
    }

    private static String draftEvent() {
        return p.expect(201, "POST", "/api/events", eventBody()).getString("id");
    }

    private static String pendingEvent() {
        return p.expect(201, "POST", "/api/events", eventBody().put("submit", true)).getString("id");
    }

    /** An APPROVED event of P, as the approval answered it (with its current version). */
    private static JsonObject approvedEvent() {
        String id = pendingEvent();
        return admin.transition(id, "approve");
    }

    /** An APPROVED event of P whose new title waits for review; its id. */
    private static String revisedEvent() {
        JsonObject e = approvedEvent();
        JsonObject body = new JsonObject().put("title", e.getString("title") + " (revised)")
                .put("description", e.getString("description")).put("venue", e.getString("venue"))
                .put("startsAt", e.getString("startsAt")).put("endsAt", e.getString("endsAt"))
                .put("capacity", e.getInteger("capacity"));
        p.expect(200, "PUT", "/api/events/" + e.getString("id"), body, "If-Match", "\"" + e.getLong("version") + "\"");
        return e.getString("id");
    }


    // The identities.

    private static String token(Endpoint row, Who who) {
        String sub = row.owner().sub;
        String role = row.owner().role;
        return switch (who) {
            case NO_TOKEN -> null;
            case EXPIRED -> ForgedTokens.expired(sub, role);
            case WRONG_KEY -> ForgedTokens.wrongKey(sub, role);
            case ALG_NONE -> ForgedTokens.algNone(sub, role);
            case HS256 -> ForgedTokens.hs256WithPublicKey(sub, role);
            case OTHER_AUDIENCE -> ForgedTokens.otherAudience(sub, role);
            case TWO_ROLES -> ForgedTokens.withGroups(sub, "admin", "user");
            case NO_ROLE -> ForgedTokens.withGroups(sub);
            case UNKNOWN_ROLE -> ForgedTokens.withGroups(sub, "superadmin");
            case NO_SUB -> ForgedTokens.noSub(sub, role);
            case OWNER -> row.owner().token;
            case PARTNER -> otherPartner.token;
            case ADMIN -> admin.token;
            case USER -> otherUser.token;
        };
    }

    // The calls.

    private static Observed send(Call call, String token) {
        if (call.path().equals("/api/stream")) {
            return stream(token);
        }
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + call.path())).timeout(CALL_TIMEOUT);
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        for (int i = 0; i < call.headers().length; i += 2) {
            r.header(call.headers()[i], call.headers()[i + 1]);
        }
        if (call.body() != null) {
            r.header("Content-Type", "application/json")
                    .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body().encode()));
        } else {
            r.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
            return new Observed(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(call.method() + " " + call.path() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Opens the stream; one that opens must be an event stream that starts with {@code ready}. */
    private static Observed stream(String token) {
        try (SseClient stream = SseClient.open(base + "/api/stream", token, null)) {
            if (stream.status() != 200) {
                return new Observed(stream.status(), stream.contentType(), stream.errorBody(), null);
            }
            String note = null;
            if (!stream.contentType().startsWith("text/event-stream")) {
                note = "the stream opened as " + stream.contentType();
            } else {
                SseClient.Event first = stream.next(Duration.ofSeconds(10));
                if (first == null || !first.event().equals("ready")) {
                    note = "the stream did not start with ready: " + first;
                }
            }
            return new Observed(200, stream.contentType(), "", note);
        }
    }

    /** Null if the response is a problem+json whose {@code status} is the response's; else what is wrong. */
    private static String problemDefect(Observed o) {
        if (!o.contentType().startsWith("application/problem+json")) {
            return "Content-Type '" + o.contentType() + "', body " + abbreviate(o.body());
        }
        try {
            Integer status = new JsonObject(o.body()).getInteger("status");
            return status != null && status == o.status() ? null : "its body says status " + status;
        } catch (RuntimeException e) {
            return "its body is not a JSON object: " + abbreviate(o.body());
        }
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String flat = s.replaceAll("\\s+", " ").strip();
        return flat.length() > 160 ? flat.substring(0, 160) + "…" : flat;
    }

    // The table, in and out.

    /** The expected table: label → identity → status; the header must name the columns in {@link Who} order. */
    static Map<String, Map<Who, Integer>> parse(String table) {
        List<String> lines = table.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        List<String> header = cells(lines.get(0));
        List<String> columns = Arrays.stream(Who.values()).map(w -> w.code).toList();
        if (!header.subList(1, header.size()).equals(columns)) {
            throw new IllegalStateException("the expected table's columns must be " + columns + ", not " + header);
        }
        Map<String, Map<Who, Integer>> rows = new LinkedHashMap<>();
        for (String line : lines.subList(2, lines.size())) {
            List<String> cells = cells(line);
            if (cells.size() != Who.values().length + 1) {
                throw new IllegalStateException("a row of the expected table needs " + (Who.values().length + 1)
                        + " cells: " + line);
            }
            Map<Who, Integer> statuses = new EnumMap<>(Who.class);
            for (Who who : Who.values()) {
                statuses.put(who, Integer.parseInt(cells.get(who.ordinal() + 1)));
            }
            if (rows.put(cells.get(0), statuses) != null) {
                throw new IllegalStateException("two rows named " + cells.get(0));
            }
        }
        return rows;
    }

    private static List<String> cells(String line) {
        String inner = line.substring(line.indexOf('|') + 1, line.lastIndexOf('|'));
        return Arrays.stream(inner.split("\\|")).map(String::strip).toList();
    }

    /** The observed matrix as Markdown: each cell the status seen; a cell that is not as expected is bold. */
    private static String render(Map<String, Map<Who, Integer>> expected, Map<String, Map<Who, Observed>> observed,
            Map<String, Endpoint> endpoints, int calls, int findings) {
        StringBuilder md = new StringBuilder();
        md.append("Generated by `AuthorizationMatrixFaultIT` (").append(LocalDate.now()).append("): ")
                .append(expected.size()).append(" rows × ").append(Who.values().length).append(" identities, ")
                .append(calls).append(" calls through the gateway, ")
                .append(findings == 0 ? "every status as expected" : findings + " findings (bold cells: observed≠expected)")
                .append(".\n\n");
        md.append("| endpoint | fixture (owner) |");
        for (Who who : Who.values()) {
            md.append(' ').append(who.title).append(" |");
        }
        md.append("\n| --- | --- |");
        md.append(" --- |".repeat(Who.values().length)).append('\n');
        for (Map.Entry<String, Map<Who, Observed>> row : observed.entrySet()) {
            md.append("| `").append(row.getKey().replace(" †", "")).append('`')
                    .append(row.getKey().endsWith(" †") ? " †" : "").append(" | ")
                    .append(endpoints.get(row.getKey()).on()).append(" |");
            for (Who who : Who.values()) {
                int seen = row.getValue().get(who).status();
                int want = expected.get(row.getKey()).get(who);
                md.append(' ').append(seen == want ? Integer.toString(seen) : "**" + seen + "≠" + want + "**").append(" |");
            }
            md.append('\n');
        }
        md.append("\nP is the partner who owns the events, U the user who holds the bookings, started the conversation "
                + "(with P) and receives the notification. \"another partner\", \"admin\" and \"user\" own none of it. "
                + "The ten bad tokens carry the row owner's real claims (sub, role, issuer) but for what each "
                + "changes: the signature, expiry, audience, groups or sub. † not called by the "
                + "web app itself: the services' counters behind `GET /api/me/summary`, and one booking.\n");
        return md.toString();
    }

    private static void writeIntoDocs(Path docs, String table) throws IOException {
        String text = Files.readString(docs, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new AssertionError(docs + " has no " + BEGIN + " … " + END + " section");
        }
        String updated = text.substring(0, begin + BEGIN.length()) + "\n" + table + text.substring(end);
        Files.writeString(docs, updated, StandardCharsets.UTF_8);
    }
}
