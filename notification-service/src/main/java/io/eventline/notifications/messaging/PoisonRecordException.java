package io.eventline.notifications.messaging;

/**
 * A record that no retry can apply (not a change record, or data its type cannot be read from).
 * Thrown out of the {@code @Incoming} method, it nacks the record, which the connector's
 * dead-letter-queue strategy writes to {@code eventline.notifications.dlq} with this message as
 * {@code dead-letter-reason} and the parser's message as {@code dead-letter-cause}.
 */
public class PoisonRecordException extends RuntimeException {

    public PoisonRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
