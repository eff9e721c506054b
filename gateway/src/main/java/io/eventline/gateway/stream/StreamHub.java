package io.eventline.gateway.stream;

/** What a {@link Stream} reports to: its limits, and where its lifecycle and deliveries are counted. */
interface StreamHub {

    StreamConfig config();

    /** A record was handed to the socket, {@code latencyMillis} after its Kafka timestamp. */
    void delivered(long latencyMillis);

    /** Bytes entered ({@code > 0}) or left ({@code < 0}) a stream's queue. */
    void queued(long bytes);

    /** Runs {@code stream.drain()} on the stream's event loop soon. */
    default void scheduleDrain(Stream stream) {
        stream.context.runOnContext(v -> stream.drain());
    }

    /** The stream was cut because its client did not keep up. */
    void cut(Stream stream, String why);

    /** The stream ended at its token's expiry. */
    void expired();

    /** The stream's connection is gone: forget it. Called once per stream. */
    void released(Stream stream);
}
