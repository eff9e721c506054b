package io.eventline.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Ports for servers that the tests, the CLI and the benchmarks start. */
public final class Ports {

    private Ports() {
    }

    /**
     * A TCP port the system just handed out and released, free on every local address (the wildcard
     * bind fails if anything holds it on any of them), for a server about to be started on it.
     */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free TCP port: " + e.getMessage(), e);
        }
    }
}
