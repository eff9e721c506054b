package io.eventline.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.eventline.bench.peers.Peer;
import io.eventline.bench.peers.PeerStartException;
import io.eventline.launcher.ChildProcess;
import io.eventline.launcher.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.NetSocket;
import java.util.Map;

/**
 * The trivial SSE source the client is measured against, to show that the client is not the
 * bottleneck: a separate JVM whose only work is writing each published message to every open
 * response (no parsing, no filtering, no buffering policy). {@code main} is the server; the rest is
 * its {@link Peer} handle in the benchmark's JVM.
 */
final class TrivialSource implements Peer {

    /**
     * The server: raw TCP (Vert.x NetServer on both event loops), a fixed HTTP/1.1 head with no
     * chunked framing (the body ends when the connection does), and each message framed once and
     * written to every connection from that connection's own event loop. About as little work per
     * delivery as an SSE server can do.
     */
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int loops = 2;
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops));
        Buffer head = Buffer.buffer("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                + "Connection: close\r\n\r\n: open\n\n");
        Map<io.vertx.core.Context, Set<NetSocket>> byLoop = new ConcurrentHashMap<>();
        vertx.deployVerticle(() -> new io.vertx.core.AbstractVerticle() {
            @Override
            public void start(io.vertx.core.Promise<Void> started) {
                io.vertx.core.Context ctx = context;
                Set<NetSocket> mine = new java.util.HashSet<>();
                byLoop.put(ctx, mine);
                vertx.createNetServer().connectHandler(socket -> {
                    Buffer[] request = { Buffer.buffer() };
                    socket.handler(b -> {
                        if (request[0] == null) {
                            return;
                        }
                        request[0].appendBuffer(b);
                        String text = request[0].toString();
                        int end = text.indexOf("\r\n\r\n");
                        if (end < 0) {
                            return;
                        }
                        String line = text.substring(0, text.indexOf("\r\n"));
                        if (line.startsWith("POST /pub")) {
                            int length = 0;
                            for (String h : text.substring(0, end).split("\r\n")) {
                                if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                                    length = Integer.parseInt(h.substring(15).trim());
                                }
                            }
                            if (request[0].length() < end + 4 + length) {
                                return;
                            }
                            String id = line.substring(line.indexOf("id=") + 3, line.indexOf(' ', line.indexOf("id=")));
                            Buffer event = Buffer.buffer("id: " + id + "\ndata: "
                                    + request[0].getString(end + 4, end + 4 + length) + "\n\n");
                            request[0] = Buffer.buffer(request[0].getBytes(end + 4 + length, request[0].length()));
                            byLoop.forEach((c, sockets) -> c.runOnContext(v -> {
                                for (NetSocket s : sockets) {
                                    s.write(event);
                                }
                            }));
                            socket.write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                        } else {
                            request[0] = null;
                            socket.write(head);
                            mine.add(socket);
                            socket.closeHandler(v -> mine.remove(socket));
                        }
                    });
                }).listen(port, "127.0.0.1").<Void>mapEmpty().onComplete(started);
            }
        }, new io.vertx.core.DeploymentOptions().setInstances(loops)).onSuccess(id -> System.out.println("listening " + port))
                .onFailure(e -> {
                    System.err.println(e.getMessage());
                    System.exit(1);
                });
    }

    private final ChildProcess process;
    private final int port;
    private final HttpClient client;
    private Future<Void> last = Future.succeededFuture();

    private TrivialSource(ChildProcess process, int port, Vertx vertx) {
        this.process = process;
        this.port = port;
        this.client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(1).setKeepAlive(true));
    }

    static TrivialSource start(Vertx vertx, Path logs) {
        int port = Ports.free();
        Path log = logs.resolve("trivial-source.log");
        ChildProcess p;
        try {
            java.nio.file.Files.createDirectories(logs);
            p = ChildProcess.command("the trivial SSE source", List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), TrivialSource.class.getName(), Integer.toString(port)))
                    .log(log).stopOnExit().start();
        } catch (java.io.IOException | RuntimeException e) {
            throw new PeerStartException("cannot start the trivial SSE source: " + e.getMessage());
        }
        try {
            p.awaitReady(Duration.ofSeconds(15), Duration.ofMillis(100), () -> accepts(port));
            return new TrivialSource(p, port, vertx);
        } catch (RuntimeException e) {
            p.stop();
            throw new PeerStartException("the trivial SSE source did not start; see " + log);
        }
    }

    private static boolean accepts(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "trivial";
    }

    @Override
    public String version() {
        return "Vert.x " + io.vertx.core.impl.launcher.commands.VersionCommand.getVersion() + " write loop";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String subscribePath() {
        return "/sub";
    }

    @Override
    public synchronized Future<Void> publish(String id, String data) {
        last = last.transform(x -> client.request(HttpMethod.POST, port, "127.0.0.1", "/pub?id=" + id)
                .compose(r -> r.send(data)).compose(r -> r.body()).mapEmpty());
        return last;
    }

    @Override
    public long rssBytes() {
        return process.rssBytes();
    }

    @Override
    public List<Long> pids() {
        return process.pids();
    }

    @Override
    public void close() {
        process.stop();
    }
}
