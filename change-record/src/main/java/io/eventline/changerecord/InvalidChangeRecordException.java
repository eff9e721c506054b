package io.eventline.changerecord;

/** A Kafka record that is not a well-formed Eventline change record; consumers count and skip it. */
public class InvalidChangeRecordException extends RuntimeException {

    public InvalidChangeRecordException(String message) {
        super(message);
    }

    public InvalidChangeRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
