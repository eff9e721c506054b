package io.eventline.bench.peers;

/**
 * A peer could not be started: binary or module missing, config rejected, or the server did not
 * answer in time. The message is one line: what failed, what to install or check, and the last
 * lines of the server's log. Nothing the failed start launched is left running.
 */
public class PeerStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PeerStartException(String message) {
        super(message);
    }

    public PeerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
