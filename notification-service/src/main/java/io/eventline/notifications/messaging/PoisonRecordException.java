package io.eventline.notifications.messaging;

/**
 * A record that no retry can apply (not a change record, data its type's published schema rejects,
 * or data its type cannot be read from).
 * Thrown out of the {@code @Incoming} method, it nacks the record, which the connector's
 * dead-letter-queue strategy writes to {@code eventline.notifications.dlq} with this message as
 * {@code dead-letter-reason} and the parser's message, if any, as {@code dead-letter-cause}.
 */
public class PoisonRecordException extends RuntimeException {

    /** No cause: the message says it all (a schema's violations). */
    public PoisonRecordException(String message) {
        super(message);
    }

    public PoisonRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
