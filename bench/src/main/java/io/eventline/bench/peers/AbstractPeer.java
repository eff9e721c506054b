package io.eventline.bench.peers;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.eventline.launcher.ChildProcess;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/** What both peers share: the server process tree, the publishing client and ordered publishes. */
abstract class AbstractPeer implements Peer {

    private final String name;
    private final String version;
    private final int port;
    private final String subscribePath;
    private final ChildProcess server;
    private final HttpClient client;
    private final Object publishLock = new Object();
    private Future<Void> lastPublish = Future.succeededFuture();
    private final AtomicBoolean closed = new AtomicBoolean();

    AbstractPeer(String name, String version, int port, String subscribePath, ChildProcess server, Vertx vertx) {
        this.name = name;
        this.version = version;
        this.port = port;
        this.subscribePath = subscribePath;
        this.server = server;
        this.client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5_000).setIdleTimeout(60)
                        .setIdleTimeoutUnit(TimeUnit.SECONDS),
                new PoolOptions().setHttp1MaxSize(4));
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String version() {
        return version;
    }

    @Override
    public final int port() {
        return port;
    }

    @Override
    public final String subscribePath() {
        return subscribePath;
    }

    @Override
    public final Future<Void> publish(String id, String data) {
        if (id == null || data == null || id.isEmpty() || isMultiLine(id) || isMultiLine(data)) {
            return Future.failedFuture(new IllegalArgumentException("id and data must be single, non-null lines (id non-empty)"));
        }
        if (closed.get()) {
            return Future.failedFuture(new IllegalStateException(name + " is closed"));
        }
        synchronized (publishLock) {
            Future<Void> next = lastPublish.transform(previous -> send(id, data));
            lastPublish = next;
            return next;
        }
    }

    /** Sends one publish request; called in publish order, each after the previous one completed. */
    abstract Future<Void> send(String id, String data);

    /** POSTs {@code body} to 127.0.0.1:port/uri on the pooled client; fails unless 2xx. */
    final Future<Void> post(int port, String uri, String contentType, String body) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI(uri).putHeader("Content-Type", contentType);
        return client.request(options)
                .compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.body().compose(answer -> {
                    if (response.statusCode() / 100 == 2) {
                        return Future.<Void>succeededFuture();
                    }
                    return Future.failedFuture(new IllegalStateException(name + " publish answered "
                            + response.statusCode() + ": " + answer.toString().strip()));
                }));
    }

    @Override
    public final long rssBytes() {
        return server.rssBytes();
    }

    @Override
    public final List<Long> pids() {
        return server.pids();
    }

    final ChildProcess server() {
        return server;
    }

    @Override
    public final void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Future<Void> inJvm = Future.all(client.close(), closeInJvm()).mapEmpty();
            if (!Context.isOnEventLoopThread()) {
                try {
                    inJvm.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    // best effort: the processes are stopped below in any case
                }
            }
        } finally {
            server.stop();
        }
    }

    /** Closes what the peer runs inside the JVM (nothing by default). */
    Future<Void> closeInJvm() {
        return Future.succeededFuture();
    }

    @Override
    public String toString() {
        return name + " [" + version + "] on 127.0.0.1:" + port + subscribePath;
    }

    private static boolean isMultiLine(String s) {
        return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    }

    /** Waits for a Vert.x future from a non-event-loop thread (startup). */
    static <T> T await(Future<T> future, long seconds, String what) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("peers are started with blocking calls: call start() off the event loop");
        }
        try {
            return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerStartException(what + ": interrupted", e);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new PeerStartException(what + ": " + cause, cause);
        }
    }
}
