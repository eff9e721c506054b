package io.eventline.bench.peers;

import java.util.List;

import io.vertx.core.Future;

/**
 * A peer SSE server that the benchmarks compare the gateway with, run on this machine (127.0.0.1
 * only) as child processes of the JVM, each with a private config and work dir.
 *
 * <p>Every peer serves one broadcast channel, {@value #CHANNEL}: a plain SSE client (GET with
 * {@code Accept: text/event-stream}) on {@code 127.0.0.1:}{@link #port()}{@link #subscribePath()}
 * receives every message given to {@link #publish(String, String)} as an event
 * {@code id: <id>\ndata: <data>\n\n}.
 *
 * <p>{@link #close()} stops the whole process tree (SIGTERM, then SIGKILL after 5 s); a JVM shutdown
 * hook does the same for peers still running when the JVM exits.
 */
public interface Peer extends AutoCloseable {

    /** The one broadcast channel every peer serves. */
    String CHANNEL = "bench";

    /** {@code "nchan"} or {@code "pushpin"}. */
    String name();

    /** The versions of the server packages, e.g. {@code "nginx/1.22.1, nchan 1:1.3.6+dfsg-2"}. */
    String version();

    /** The HTTP port subscribers connect to, on 127.0.0.1. */
    int port();

    /** The path of the {@value #CHANNEL} channel's SSE stream on {@link #port()}. */
    String subscribePath();

    /**
     * Publishes one event to the {@value #CHANNEL} channel. {@code id} and {@code data} must be
     * single lines (data is typically a one-line JSON string). Publishes are sent to the server in
     * call order, each after the previous one was answered, over a pooled keep-alive client, so
     * subscribers see them in call order. The future completes when the server accepted the
     * message (not when subscribers got it).
     */
    Future<Void> publish(String id, String data);

    /** Resident memory (VmRSS) summed over the peer's server processes, in bytes; 0 once closed. */
    long rssBytes();

    /** The pids of the peer's server processes (root first, then its descendants); empty once closed. */
    List<Long> pids();

    /** Stops everything this peer started; idempotent. Blocks up to about 5 s. */
    @Override
    void close();
}
