package io.eventline.launcher;

/** A child process could not be started, made ready or stopped; the message says which and why. */
public class LaunchException extends RuntimeException {

    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
