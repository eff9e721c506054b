package io.eventline.gateway.stream;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.quarkus.logging.Log;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes the streams of one event loop to their sockets. A record reaches thousands of streams at
 * once; rather than a task per stream, the outboxes with something to write are queued here and
 * written by one task on the loop: each outbox's frames in one write (one chunk, one flush; the
 * frames are the ones shared by every stream, put side by side, not copied),
 * up to {@link #BATCH} outboxes per task, then the loop is yielded to its sockets' reads and other
 * tasks. A socket that refuses more is left until its drain handler says it has room. Runs on
 * its event loop only, but for {@link #wake} and {@link #hangUp}, which any thread calls.
 */
final class SocketWriter {

    private static final int BATCH = 256;

    private final EventLoop loop;
    private final StreamMetrics metrics;
    /** Outboxes with frames to write: one ({@link #wake}) or many at once ({@link #wakeAll}). */
    private final ConcurrentLinkedQueue<Object> due = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    // Loop thread only: the batch being written, and how far.
    private Outbox[] current;
    private int next;

    SocketWriter(EventLoop loop, StreamMetrics metrics) {
        this.loop = loop;
        this.metrics = metrics;
    }

    /** The outbox has frames to write. */
    void wake(Outbox outbox) {
        due.add(outbox);
        schedule();
    }

    /** These outboxes have frames to write: the dispatcher's, once per record and loop, rather than once per stream. */
    void wakeAll(Outbox[] outboxes) {
        due.add(outboxes);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(this::run);
        }
    }

    /**
     * Ends the response of a stream that was cut or closed and closes its connection once what
     * the socket already holds is sent. A client that never reads never lets that happen: the HTTP
     * server's idle timeout ({@code quarkus.http.idle-timeout}) closes such a connection.
     */
    void hangUp(Outbox outbox) {
        loop.execute(() -> {
            HttpServerResponse response = outbox.response;
            try {
                if (!response.ended() && !response.closed()) {
                    response.end(); // its end handler releases the stream now, whatever the socket does
                }
            } catch (IllegalStateException gone) {
                // closed meanwhile
            }
            outbox.connection.close();
        });
    }

    private void run() {
        scheduled.set(false); // before writing: an outbox due from now on schedules another run
        long now = System.currentTimeMillis();
        for (int n = 0; n < BATCH; n++) {
            Outbox outbox = nextDue();
            if (outbox == null) {
                break;
            }
            try {
                write(outbox, now);
            } catch (RuntimeException e) {
                Log.warnf(e, "live stream: a stream failed to write; the others go on");
            }
        }
        if (current != null || !due.isEmpty()) {
            schedule();
        }
    }

    private Outbox nextDue() {
        while (true) {
            if (current != null) {
                if (next < current.length) {
                    return current[next++];
                }
                current = null;
            }
            Object item = due.poll();
            if (item == null) {
                return null;
            }
            if (item instanceof Outbox one) {
                return one;
            }
            current = (Outbox[]) item;
            next = 0;
        }
    }

    private void write(Outbox outbox, long now) {
        HttpServerResponse response = outbox.response;
        Outbox.Batch batch = outbox.take();
        if (batch == null) {
            return;
        }
        Outbox.Out[] frames = batch.frames();
        Buffer data = frames[0].frame();
        if (frames.length > 1) { // one chunk of the shared frames, side by side: no copy per stream
            ByteBuf[] parts = new ByteBuf[frames.length];
            for (int i = 0; i < parts.length; i++) {
                parts[i] = frames[i].frame().getByteBuf();
            }
            data = Buffer.buffer(Unpooled.wrappedUnmodifiableBuffer(parts));
        }
        try {
            if (batch.last()) {
                response.end(data);
            } else {
                response.write(data);
                if (response.writeQueueFull()) {
                    outbox.refused();
                }
            }
        } catch (IllegalStateException closed) {
            return; // the connection went away; its close handler releases the stream
        }
        for (Outbox.Out o : frames) {
            if (o.change() != null) {
                metrics.delivered(o.change(), now);
            }
        }
    }
}
