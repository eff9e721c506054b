package io.eventline.bench.peers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.eventline.launcher.ChildProcess;
import io.eventline.launcher.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * nginx with the Nchan module (Debian packages {@code nginx-core}, {@code libnginx-mod-nchan}),
 * run in the foreground as a child of the JVM with its own prefix dir and config: 2 workers, up to
 * 16 000 connections each, 19 000 open files per process (under the 20 000 hard limit of this
 * machine), no access log, listening on a free port of 127.0.0.1 only.
 *
 * <p>Locations: {@code POST /pub/<channel>} publishes ({@code nchan_publisher}),
 * {@code /sse/<channel>} is the SSE stream of {@link #subscribePath()}, {@code /sub/<channel>} is
 * Nchan's native {@code eventsource} subscriber, {@code /ready} answers 204.
 *
 * <p>Why two subscriber locations: Nchan's {@code eventsource} subscriber always writes its own
 * message id ({@code id: <time>:<tag>}) and cannot carry the publisher's id, which the {@link Peer}
 * contract requires. {@link Mode#SSE} (the default) therefore uses Nchan's
 * {@code http-raw-stream} subscriber with {@code Content-Type: text/event-stream}: the publisher
 * sends the complete SSE frame ({@code id: ...\ndata: ...\n}) and Nchan adds the blank line. Same
 * channel engine, same fan-out path, one buffer per message instead of a line-split chain.
 * {@link Mode#EVENTSOURCE} subscribes to the native subscriber instead: the data line is the
 * published data, but the {@code id:} is Nchan's.
 */
public final class Nchan extends AbstractPeer {

    /** Which Nchan subscriber {@link #subscribePath()} points at. */
    public enum Mode {
        /** {@code http-raw-stream} with a text/event-stream header: {@code id:} is the published id (the Peer contract). */
        SSE,
        /** Nchan's native {@code eventsource} subscriber: {@code data:} as published, {@code id:} is Nchan's own. */
        EVENTSOURCE
    }

    /** System property naming the nginx binary (default {@code nginx} on PATH). */
    public static final String NGINX_PROPERTY = "eventline.peers.nginx";
    /** System property naming the Nchan module .so (default: found under the Debian module dirs). */
    public static final String MODULE_PROPERTY = "eventline.peers.nchanModule";

    private static final List<Path> MODULE_CANDIDATES = List.of(
            Path.of("/usr/lib/nginx/modules/ngx_nchan_module.so"),
            Path.of("/usr/share/nginx/modules/ngx_nchan_module.so"));
    private static final String INSTALL_HINT = "install with: apt-get install -y nginx-core libnginx-mod-nchan";
    private static final int READY_SECONDS = 15;

    private final Mode mode;
    private final Path workDir;

    private Nchan(String version, int port, Mode mode, ChildProcess server, Vertx vertx, Path workDir) {
        super("nchan", version, port, (mode == Mode.SSE ? "/sse/" : "/sub/") + CHANNEL, server, vertx);
        this.mode = mode;
        this.workDir = workDir;
    }

    /** Starts nginx + Nchan in {@code workDir} (created if missing), in {@link Mode#SSE}. Blocks until it answers. */
    public static Nchan start(Vertx vertx, Path workDir) {
        return start(vertx, workDir, Mode.SSE);
    }

    /**
     * Starts nginx + Nchan in {@code workDir} (created if missing). Blocks until it answers, 15 s at
     * most; call it off the event loop.
     *
     * @throws PeerStartException if nginx or the module is missing, the config is rejected or the
     *         port does not answer in time; nothing is left running then
     */
    public static Nchan start(Vertx vertx, Path workDir, Mode mode) {
        Path dir = workDir.toAbsolutePath().normalize();
        String nginxCommand = System.getProperty(NGINX_PROPERTY, "nginx");
        Path nginx = PeerSupport.findExecutable(nginxCommand).orElseThrow(() -> new PeerStartException(
                "nchan: nginx binary '" + nginxCommand + "' not found on PATH; " + INSTALL_HINT));
        Path module = findModule().orElseThrow(() -> new PeerStartException(
                "nchan: Nchan module ngx_nchan_module.so not found in " + MODULE_CANDIDATES + "; " + INSTALL_HINT));

        Path config = dir.resolve("nginx.conf");
        Path errorLog = dir.resolve("error.log");
        Path out = dir.resolve("nginx.out");
        List<String> signatures = List.of(config.toString());
        int port;
        try {
            Files.createDirectories(dir.resolve("tmp"));
            PeerSupport.reapStrays(signatures);
            for (Path stale : List.of(errorLog, out, dir.resolve("nginx.pid"))) {
                Files.deleteIfExists(stale);
            }
            port = Ports.free();
            Files.writeString(config, config(dir, module, port));
        } catch (IOException e) {
            throw new PeerStartException("nchan: cannot write its config in " + dir + ": " + e.getMessage(), e);
        }
        ChildProcess server = PeerSupport.start("nchan", List.of(nginx.toString(), "-p", dir + "/", "-c",
                config.toString(), "-e", errorLog.toString(), "-g", "daemon off; master_process on;"), dir, out,
                signatures);
        try {
            awaitReady(server, port, config, errorLog, out);
            return new Nchan(version(nginx), port, mode, server, vertx, dir);
        } catch (RuntimeException e) {
            server.stop();
            throw e;
        }
    }

    private static void awaitReady(ChildProcess server, int port, Path config, Path errorLog, Path out) {
        try {
            server.awaitReady(Duration.ofSeconds(READY_SECONDS), Duration.ofMillis(50),
                    () -> PeerSupport.httpStatus(port, "/ready", 1_000) == 204);
        } catch (ChildProcess.NotReadyException e) {
            if (e.exited()) {
                throw new PeerStartException("nchan: nginx exited with code " + server.exitCode()
                        + " at startup (config rejected or port taken?); check " + config + " and that the nginx and "
                        + "libnginx-mod-nchan versions match. Last log lines: " + PeerSupport.tail(5, errorLog, out), e);
            }
            throw new PeerStartException("nchan: nginx did not answer on 127.0.0.1:" + port + " within "
                    + READY_SECONDS + " s; check " + config + ". Last log lines: " + PeerSupport.tail(5, errorLog, out), e);
        }
    }

    @Override
    Future<Void> send(String id, String data) {
        String body = mode == Mode.SSE ? "id: " + id + "\ndata: " + data + "\n" : data;
        return post(port(), "/pub/" + CHANNEL, "text/plain", body);
    }

    /** Which subscriber {@link #subscribePath()} uses. */
    public Mode mode() {
        return mode;
    }

    /** The prefix dir: nginx.conf, error.log, nginx.out (stdout/stderr), nginx.pid. */
    public Path workDir() {
        return workDir;
    }

    /** Whether nginx and the Nchan module are installed, as {@link #start} will look for them. */
    public static boolean installed() {
        return PeerSupport.findExecutable(System.getProperty(NGINX_PROPERTY, "nginx")).isPresent()
                && findModule().isPresent();
    }

    private static Optional<Path> findModule() {
        String configured = System.getProperty(MODULE_PROPERTY);
        if (configured != null) {
            Path path = Path.of(configured);
            return Files.isRegularFile(path) ? Optional.of(path) : Optional.empty();
        }
        return MODULE_CANDIDATES.stream().filter(Files::isRegularFile).findFirst();
    }

    private static String version(Path nginx) {
        String nginxVersion = PeerSupport.output(List.of(nginx.toString(), "-v"));
        int slash = nginxVersion.indexOf("nginx/");
        nginxVersion = slash >= 0 ? nginxVersion.substring(slash).strip() : "nginx (unknown version)";
        String nchanVersion = PeerSupport.output(List.of("dpkg-query", "-W", "-f=${Version}", "libnginx-mod-nchan"));
        if (nchanVersion.isEmpty() || nchanVersion.contains("no packages found")) {
            nchanVersion = "unknown";
        }
        return nginxVersion + ", nchan " + nchanVersion;
    }

    static String config(Path dir, Path module, int port) {
        String tmp = dir.resolve("tmp").toString();
        return """
                # Generated by io.eventline.bench.peers.Nchan: a private nginx + Nchan for the benchmarks.
                load_module %1$s;

                # 2 cores. Open files: the hard limit here is 20000 per process, so stay under it.
                worker_processes 2;
                worker_rlimit_nofile 19000;
                worker_shutdown_timeout 2s;
                pid %2$s/nginx.pid;
                error_log %2$s/error.log warn;

                events {
                    worker_connections 16000;
                    multi_accept on;
                }

                http {
                    access_log off;
                    server_tokens on;
                    client_body_temp_path %3$s/client_body;
                    proxy_temp_path %3$s/proxy;
                    fastcgi_temp_path %3$s/fastcgi;
                    uwsgi_temp_path %3$s/uwsgi;
                    scgi_temp_path %3$s/scgi;
                    keepalive_requests 1000000;

                    server {
                        # reuseport: one listening socket per worker, the kernel spreads the subscribers.
                        listen 127.0.0.1:%4$d reuseport backlog=4096;

                        location = /ready {
                            return 204;
                        }

                        location ~ ^/pub/([A-Za-z0-9_-]+)$ {
                            nchan_publisher http;
                            nchan_channel_id $1;
                        }

                        # Nchan's native EventSource subscriber (its own id: lines).
                        location ~ ^/sub/([A-Za-z0-9_-]+)$ {
                            nchan_subscriber eventsource;
                            nchan_channel_id $1;
                        }

                        # SSE with the publisher's ids: the message is the SSE frame, Nchan adds the blank line.
                        location ~ ^/sse/([A-Za-z0-9_-]+)$ {
                            nchan_subscriber http-raw-stream;
                            nchan_channel_id $1;
                            nchan_subscriber_http_raw_stream_separator "\\n";
                            add_header Content-Type "text/event-stream" always;
                            add_header Cache-Control "no-cache" always;
                        }
                    }
                }
                """.formatted(module, dir, tmp, port);
    }
}
