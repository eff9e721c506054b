package io.eventline.notifications.consumer;

/**
 * A record that no retry can apply (not a change record, data its type's published schema rejects,
 * or data its type cannot be read from).
 * Thrown out of the {@code @Incoming} method, it nacks the record, which the connector's
 * failure strategy ({@link PipelinedDeadLetterQueue}) writes to {@code eventline.notifications.dlq} with this message as
 * {@code dead-letter-reason} and the parser's message, if any, as {@code dead-letter-cause}.
 *
 * <p>It carries no stack trace of its own: it is the expected answer to a bad record, thrown from one
 * place, and the connector logs every exception its method throws. A burst of bad records would
 * otherwise cost a stack trace each (the cause, the parser's failure, keeps its own).
 */
public class PoisonRecordException extends RuntimeException {

    /** No cause: the message says it all (a schema's violations). */
    public PoisonRecordException(String message) {
        super(message, null, false, false);
    }

    public PoisonRecordException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
