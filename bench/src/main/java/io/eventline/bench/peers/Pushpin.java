package io.eventline.bench.peers;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.eventline.launcher.ChildProcess;
import io.eventline.launcher.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Pushpin (Debian package {@code pushpin}, with {@code condure} and {@code zurl}) run in the
 * foreground as a child of the JVM ({@code pushpin --config <workDir>/pushpin.conf}), with a
 * complete private config: its own runtime dir, ZeroMQ ipc sockets inside the work dir, free ports
 * on 127.0.0.1 only, and a GRIP origin served by a Vert.x HttpServer inside this JVM.
 *
 * <p>A subscriber's {@code GET /sub/bench} goes condure &rarr; pushpin-proxy &rarr; zurl &rarr; the
 * origin, which answers {@code Grip-Hold: stream} and {@code Grip-Channel: bench}; pushpin-handler
 * then holds the stream open. {@link #publish} POSTs to the handler's HTTP publish endpoint an
 * {@code http-stream} item whose content is the SSE frame.
 *
 * <p>Settings that differ from the packaged /etc/pushpin/pushpin.conf, and why:
 * <ul>
 * <li>{@code services=condure,zurl,pushpin-proxy,pushpin-handler}: the packaged config omits zurl
 * (Debian expects a system zurl on /var/run/zurl); the proxy needs it to reach the origin. The
 * runner generates zurl's config from {@code lib/runner/zurl.conf.template}, ours, with
 * {@code deny=} empty (the packaged template denies 127.*, where the origin is);
 * {@code lib/internal.conf} is the packaged one with the zurl sockets moved into the run dir.</li>
 * <li>{@code message_rate} 1e9/s and {@code message_hwm} 1e8 (packaged: 2 500/s and 25 000): the
 * handler counts every delivery to every subscriber against them, so the defaults throttle
 * fan-out to 2 500 deliveries a second (4 s for one message to 10 000 subscribers) and drop
 * beyond 25 000 queued.</li>
 * <li>{@code client_maxconn} {@value #CLIENT_MAXCONN} (condure's {@code --stream-maxconn}):
 * room for 10 000 subscribers, under the 20 000 open files a process may have here.</li>
 * <li>pushpin-proxy {@code max_open_requests} {@value #MAX_OPEN_REQUESTS} (packaged: unlimited): with
 * no limit, a burst of subscribers overflows the proxy's queue to zurl (a small, hard-coded ZeroMQ
 * high-water mark) and Pushpin answers {@code 502 Error while proxying to origin} (1 371 of 2 000
 * simultaneous subscribes here). With the limit, the extra requests wait in condure instead. It
 * only bounds requests being proxied: a held stream is handed to pushpin-handler and no longer
 * counts.</li>
 * <li>zurl {@code max_open_requests}, {@code in_hwm}, {@code out_hwm} raised so that bursts of
 * subscribers all reach the origin.</li>
 * </ul>
 *
 * <p>Known issue of this Pushpin (1.36.0 with condure 1.9.1, Debian bookworm): a handful of streams
 * (about 0.25 to 0.8 % of 2 000 subscribers in our runs, whether they connect in a burst or 10 at a
 * time) are cancelled by pushpin-handler at their first message ({@code zhttp server: error id=...
 * received message out of sequence, canceling} in log/pushpin-handler.log): condure sends one
 * keep-alive to pushpin-proxy after the proxy handed the stream to the handler. The subscriber sees
 * its stream end right after its first event or two; a benchmark should publish a warm-up event, then
 * reconnect the streams that ended before it measures.
 */
public final class Pushpin extends AbstractPeer {

    /** System property naming the pushpin runner binary (default {@code pushpin} on PATH). */
    public static final String PUSHPIN_PROPERTY = "eventline.peers.pushpin";
    /** System property naming the zurl binary (default {@code zurl}). */
    public static final String ZURL_PROPERTY = "eventline.peers.zurl";
    /** System property naming the condure binary (default {@code condure}). */
    public static final String CONDURE_PROPERTY = "eventline.peers.condure";
    /**
     * System property: pushpin-proxy's {@code max_open_requests}, the subscribe requests it proxies
     * to the origin at once (default {@value #MAX_OPEN_REQUESTS}); held streams do not count.
     */
    public static final String MAX_OPEN_REQUESTS_PROPERTY = "eventline.peers.pushpin.maxOpenRequests";
    /** System property: the handler's {@code message_rate}, deliveries per second (default 1e9, i.e. unthrottled). */
    public static final String MESSAGE_RATE_PROPERTY = "eventline.peers.pushpin.messageRate";
    /** System property with the services' log level (default 2 = info; 3 = debug, verbose). */
    public static final String LOG_LEVEL_PROPERTY = "eventline.peers.pushpin.logLevel";

    static final int CLIENT_MAXCONN = 16_000;
    static final int MAX_OPEN_REQUESTS = 50;
    private static final String IPC_PREFIX = "p-";
    private static final Path PACKAGED_INTERNAL_CONF = Path.of("/usr/lib/pushpin/internal.conf");
    private static final String INSTALL_HINT = "install with: apt-get install -y pushpin (brings condure and zurl)";
    private static final int READY_SECONDS = 15;
    private static final String READY_CHANNEL = "ready-probe";

    private final int publishPort;
    private final HttpServer origin;
    private final Path workDir;

    private Pushpin(String version, int port, int publishPort, ChildProcess server, HttpServer origin, Vertx vertx,
            Path workDir) {
        super("pushpin", version, port, "/sub/" + CHANNEL, server, vertx);
        this.publishPort = publishPort;
        this.origin = origin;
        this.workDir = workDir;
    }

    /**
     * Starts the GRIP origin and Pushpin in {@code workDir} (created if missing). Blocks until a
     * subscription works end to end, 15 s at most; call it off the event loop.
     *
     * @throws PeerStartException if a binary is missing, the config is rejected or the ports do not
     *         answer in time; nothing is left running then
     */
    public static Pushpin start(Vertx vertx, Path workDir) {
        Path dir = workDir.toAbsolutePath().normalize();
        Path pushpin = executable(System.getProperty(PUSHPIN_PROPERTY, "pushpin"));
        Path zurl = executable(System.getProperty(ZURL_PROPERTY, "zurl"));
        Path condure = executable(System.getProperty(CONDURE_PROPERTY, "condure"));
        executable("pushpin-proxy");
        executable("pushpin-handler");
        if (!Files.isRegularFile(PACKAGED_INTERNAL_CONF)) {
            throw new PeerStartException("pushpin: " + PACKAGED_INTERNAL_CONF + " not found; " + INSTALL_HINT);
        }

        Path runDir = dir.resolve("run");
        Path logDir = dir.resolve("log");
        Path config = dir.resolve("pushpin.conf");
        Path out = dir.resolve("pushpin.out");
        // ZeroMQ ipc paths are unix socket paths: 107 bytes at most.
        if ((runDir + "/" + IPC_PREFIX + "condure-out-stream").length() > 100) {
            throw new PeerStartException("pushpin: work dir path too long for ZeroMQ ipc sockets (" + runDir
                    + "); use a shorter work dir, e.g. under /tmp");
        }
        List<String> signatures = List.of(config.toString(), runDir + "/zurl.conf", runDir + "/" + IPC_PREFIX);

        HttpServer origin = AbstractPeer.await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1")
                .setPort(0)).requestHandler(Pushpin::gripOrigin).listen(), 10, "pushpin: GRIP origin did not start");
        ChildProcess server = null;
        try {
            int port;
            int publishPort;
            try {
                Files.createDirectories(dir.resolve("lib/runner"));
                Files.createDirectories(runDir);
                Files.createDirectories(logDir);
                PeerSupport.reapStrays(signatures);
                Files.deleteIfExists(out);
                try (DirectoryStream<Path> logs = Files.newDirectoryStream(logDir, "*.log")) {
                    for (Path log : logs) {
                        Files.delete(log);
                    }
                }
                port = Ports.free();
                publishPort = Ports.free();
                while (publishPort == port) {
                    publishPort = Ports.free();
                }
                Files.writeString(dir.resolve("lib/internal.conf"), internalConf(Files.readString(PACKAGED_INTERNAL_CONF)));
                Files.writeString(dir.resolve("lib/runner/zurl.conf.template"), PeerSupport.template(Pushpin.class, "zurl.conf.template", Map.of()));
                Files.writeString(dir.resolve("routes"), "* 127.0.0.1:" + origin.actualPort() + "\n");
                Files.writeString(config, config(dir, port, publishPort, condure, zurl));
            } catch (IOException e) {
                throw new PeerStartException("pushpin: cannot write its config in " + dir + ": " + e.getMessage(), e);
            }
            server = PeerSupport.start("pushpin", List.of(pushpin.toString(), "--config", config.toString()), dir,
                    out, signatures);
            awaitReady(server, port, publishPort, config, out, logDir);
            return new Pushpin(version(pushpin), port, publishPort, server, origin, vertx, dir);
        } catch (RuntimeException e) {
            if (server != null) {
                server.stop();
            }
            origin.close();
            throw e;
        }
    }

    /** Whether Pushpin and what it runs are installed, as {@link #start} will look for them. */
    public static boolean installed() {
        return Stream.of(System.getProperty(PUSHPIN_PROPERTY, "pushpin"), System.getProperty(ZURL_PROPERTY, "zurl"),
                System.getProperty(CONDURE_PROPERTY, "condure"), "pushpin-proxy", "pushpin-handler")
                .allMatch(c -> PeerSupport.findExecutable(c).isPresent()) && Files.isRegularFile(PACKAGED_INTERNAL_CONF);
    }

    private static Path executable(String command) {
        return PeerSupport.findExecutable(command).orElseThrow(() -> new PeerStartException(
                "pushpin: binary '" + command + "' not found on PATH; " + INSTALL_HINT));
    }

    /** The GRIP origin: every /sub/CHANNEL request is held as a stream on CHANNEL. */
    private static void gripOrigin(HttpServerRequest request) {
        String path = request.path();
        if (path.equals("/ready")) {
            request.response().putHeader("Content-Type", "text/plain").end("ok\n");
            return;
        }
        if (path.startsWith("/sub/") && path.length() > 5 && path.indexOf('/', 5) < 0) {
            String channel = path.substring(5);
            request.response().putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
                    .putHeader("Grip-Hold", "stream").putHeader("Grip-Channel", channel).end();
            return;
        }
        request.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("no such channel\n");
    }

    private static void awaitReady(ChildProcess server, int port, int publishPort, Path config, Path out,
            Path logDir) {
        boolean[] proxied = { false };
        boolean[] held = { false };
        boolean[] publishing = { false };
        try {
            server.awaitReady(Duration.ofSeconds(READY_SECONDS), Duration.ofMillis(50), () -> {
                proxied[0] = proxied[0] || PeerSupport.httpStatus(port, "/ready", 1_000) == 200;
                held[0] = held[0] || proxied[0] && PeerSupport.httpStatus(port, "/sub/" + READY_CHANNEL, 1_000) == 200;
                publishing[0] = publishing[0] || PeerSupport.httpStatus(publishPort, "/publish/", 1_000) > 0;
                return proxied[0] && held[0] && publishing[0];
            });
        } catch (ChildProcess.NotReadyException e) {
            if (e.exited()) {
                throw new PeerStartException("pushpin: exited with code " + server.exitCode()
                        + " at startup (config rejected, a service failed or a port is taken?); check " + config
                        + ". Last log lines: " + logTail(out, logDir), e);
            }
            throw new PeerStartException("pushpin: not ready within " + READY_SECONDS + " s (subscriber port "
                    + port + (proxied[0] ? " proxies to the origin" : " does not reach the GRIP origin through zurl")
                    + (proxied[0] && !held[0] ? ", but streams are not held by pushpin-handler" : "") + ", publish port "
                    + publishPort + (publishing[0] ? " answers" : " does not answer") + "); check " + config
                    + ". Last log lines: " + logTail(out, logDir), e);
        }
    }

    private static String logTail(Path out, Path logDir) {
        List<Path> files = new ArrayList<>();
        files.add(out);
        for (String service : List.of("condure", "zurl", "pushpin-proxy", "pushpin-handler")) {
            files.add(logDir.resolve(service + ".log"));
        }
        return PeerSupport.tail(3, files.toArray(Path[]::new));
    }

    @Override
    Future<Void> send(String id, String data) {
        // No item "id": pushpin drops items whose id it saw in the last id_cache_ttl seconds.
        JsonObject item = new JsonObject().put("channel", CHANNEL).put("formats",
                new JsonObject().put("http-stream",
                        new JsonObject().put("content", "id: " + id + "\ndata: " + data + "\n\n")));
        String body = new JsonObject().put("items", new JsonArray().add(item)).encode();
        return post(publishPort, "/publish/", "application/json", body);
    }

    @Override
    Future<Void> closeInJvm() {
        return origin.close();
    }

    /** The handler's HTTP publish port on 127.0.0.1. */
    public int publishPort() {
        return publishPort;
    }

    /** The GRIP origin's port on 127.0.0.1 (inside this JVM). */
    public int originPort() {
        return origin.actualPort();
    }

    /** The work dir: pushpin.conf, routes, lib/, run/ (ipc sockets, pid files), log/, pushpin.out. */
    public Path workDir() {
        return workDir;
    }

    private static String version(Path pushpin) {
        String runner = PeerSupport.output(List.of(pushpin.toString(), "--version"));
        if (runner.isEmpty()) {
            runner = "pushpin (unknown version)";
        }
        return runner + " (package " + packageVersion("pushpin") + ", condure " + packageVersion("condure") + ", zurl "
                + packageVersion("zurl") + ")";
    }

    private static String packageVersion(String name) {
        String version = PeerSupport.output(List.of("dpkg-query", "-W", "-f=${Version}", name));
        return version.isEmpty() || version.contains("no packages found") ? "unknown" : version;
    }

    /** The packaged internal.conf with the zurl sockets moved from /var/run/zurl into our run dir. */
    static String internalConf(String packaged) {
        String result = packaged;
        for (String[] spec : new String[][] { { "zurl_out_specs", "zurl-in" },
                { "zurl_out_stream_specs", "zurl-in-stream" }, { "zurl_in_specs", "zurl-out" } }) {
            Matcher matcher = Pattern.compile("(?m)^" + spec[0] + "=.*$").matcher(result);
            String line = spec[0] + "=ipc://{rundir}/{ipc_prefix}" + spec[1];
            result = matcher.find() ? matcher.replaceAll(Matcher.quoteReplacement(line))
                    : result.replace("[proxy]\n", "[proxy]\n" + line + "\n");
        }
        return "# Generated by io.eventline.bench.peers.Pushpin from " + PACKAGED_INTERNAL_CONF
                + " (zurl sockets in the run dir).\n" + result;
    }

    static String config(Path dir, int port, int publishPort, Path condure, Path zurl) {
        return PeerSupport.template(Pushpin.class, "pushpin.conf", Map.ofEntries(
                Map.entry("dir", dir), Map.entry("ipc_prefix", IPC_PREFIX), Map.entry("port", port),
                Map.entry("client_maxconn", CLIENT_MAXCONN), Map.entry("condure", condure), Map.entry("zurl", zurl),
                Map.entry("sig_key", UUID.randomUUID()), Map.entry("publish_port", publishPort),
                Map.entry("log_level", System.getProperty(LOG_LEVEL_PROPERTY, "2")),
                Map.entry("max_open_requests", System.getProperty(MAX_OPEN_REQUESTS_PROPERTY, Integer.toString(MAX_OPEN_REQUESTS))),
                Map.entry("message_rate", System.getProperty(MESSAGE_RATE_PROPERTY, "1000000000"))));
    }
}
