package io.eventline.gateway.stream;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.quarkus.logging.Log;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;

/**
 * The frames queued for one stream's socket: the only part of a stream that crosses threads. The
 * dispatcher (live frames), a replay (replayed frames; it waits for room) and the event loop
 * ({@code expired}) add to it; the {@link SocketWriter} of the stream's event loop takes from it,
 * everything at once, and owns the response. A frame that would pass the send buffer of a socket
 * that refuses more, or sixteen send buffers whatever the socket says (a burst the writer has not
 * started on yet stays under that), cuts the stream: the client
 * is not reading, and it resumes from its last id once it does.
 */
final class Outbox {

    /** A queued frame; {@code change} is the record it carries, counted as delivered once written (null otherwise). */
    record Out(Buffer frame, Change change) {
    }

    /** What the writer takes: the frames in order, and whether the response ends after them. */
    record Batch(Out[] frames, boolean last) {
    }

    final HttpServerResponse response;
    final HttpConnection connection;
    final SocketWriter writer;
    private final String who;
    private final int sendBuffer;
    private final StreamMetrics metrics;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private final ArrayDeque<Out> queue = new ArrayDeque<>(4);
    private int bytes;
    /** Accepts nothing more: cut, expired, closed, or the connection is gone. */
    private boolean closed;
    /** The response ends once the queue is written ({@code expired}). */
    private boolean last;
    /** In the writer's queue of outboxes with something to write. */
    private boolean due;
    /** The socket refused more (its write queue is full) and has not said it has room since. */
    private boolean socketFull;

    Outbox(HttpServerResponse response, HttpConnection connection, SocketWriter writer, String who, int sendBuffer,
            StreamMetrics metrics) {
        this.response = response;
        this.connection = connection;
        this.writer = writer;
        this.who = who;
        this.sendBuffer = sendBuffer;
        this.metrics = metrics;
    }

    /** Queues a frame; false when the stream is closed, or cut by this frame. */
    boolean add(Buffer frame, Change change) {
        return add(frame, change, null);
    }

    /** The same; when it becomes due, {@code wakeups} (the dispatcher's) tells its writer, with the others of the record. */
    boolean add(Buffer frame, Change change, Wakeups wakeups) {
        boolean wake = false;
        boolean cut = false;
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            long after = bytes + (long) frame.length();
            if (bytes > 0 && after > sendBuffer && (socketFull || after > 16L * sendBuffer)) {
                closeLocked();
                cut = true;
            } else {
                wake = enqueueLocked(new Out(frame, change));
            }
        } finally {
            lock.unlock();
        }
        if (cut) {
            cutNow("its send buffer is full: the client is not reading");
            return false;
        }
        if (wake) {
            if (wakeups != null) {
                wakeups.add(this);
            } else {
                writer.wake(this);
            }
        }
        return true;
    }

    /**
     * Queues a replayed frame once the client has taken most of what is queued, waiting up to
     * {@code waitMillis}; a client that does not read its replay in that time is cut. False once
     * the stream is closed.
     */
    boolean addWhenRoom(Buffer frame, Change change, long waitMillis) throws InterruptedException {
        boolean wake = false;
        boolean cut = false;
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (!closed && bytes > sendBuffer / 2) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    closeLocked();
                    cut = true;
                    break;
                }
                room.awaitNanos(left);
            }
            if (closed) {
                if (!cut) {
                    return false;
                }
            } else {
                wake = enqueueLocked(new Out(frame, change));
            }
        } finally {
            lock.unlock();
        }
        if (cut) {
            cutNow("it did not read its replay");
            return false;
        }
        if (wake) {
            writer.wake(this);
        }
        return true;
    }

    /** Queues the stream's last frame: the response ends once it is written. False when the stream was closed already. */
    boolean end(Buffer frame) {
        boolean wake;
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            wake = enqueueLocked(new Out(frame, null));
            last = true;
            closed = true;
        } finally {
            lock.unlock();
        }
        if (wake) {
            writer.wake(this);
        }
        return true;
    }

    /** Cuts a stream whose client cannot keep up: what is queued is dropped and the connection closed. */
    void cut(String why) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closeLocked();
        } finally {
            lock.unlock();
        }
        cutNow(why);
    }

    private void cutNow(String why) {
        metrics.dropped();
        Log.debugf("live stream of %s cut: %s", who, why);
        writer.hangUp(this);
    }

    /** Closes the stream without a reason given to the client (drain, shutdown, a failed replay's interruption). */
    void close() {
        lock.lock();
        try {
            if (closed && !last) {
                return;
            }
            closeLocked();
        } finally {
            lock.unlock();
        }
        writer.hangUp(this);
    }

    /** The connection is gone: drops what is queued and wakes a replay waiting for room. */
    void discard() {
        lock.lock();
        try {
            closeLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Accepts nothing more. */
    boolean closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    // ---- the writer (the stream's event loop) ------------------------------------------------

    /**
     * Everything queued, to be written as one; null when there is nothing, or when the socket
     * refused more after the last batch (the drain handler calls {@link #writable()} once it has
     * room; the last frame is written regardless).
     */
    Batch take() {
        lock.lock();
        try {
            due = false;
            if (queue.isEmpty() || (socketFull && !last)) {
                return null;
            }
            Out[] frames = queue.toArray(Out[]::new);
            queue.clear();
            metrics.queued.add(-bytes);
            bytes = 0;
            room.signalAll();
            return new Batch(frames, last);
        } finally {
            lock.unlock();
        }
    }

    /** The socket took the batch but refuses more for now. */
    void refused() {
        lock.lock();
        try {
            socketFull = true;
        } finally {
            lock.unlock();
        }
    }

    /** The socket has room again. */
    void writable() {
        boolean wake;
        lock.lock();
        try {
            socketFull = false;
            wake = !queue.isEmpty() && !due;
            due |= wake;
        } finally {
            lock.unlock();
        }
        if (wake) {
            writer.wake(this);
        }
    }

    // ---- under the lock ----------------------------------------------------------------------

    /** True when the writer must be told (the outbox was not already due). */
    private boolean enqueueLocked(Out out) {
        queue.add(out);
        bytes += out.frame.length();
        metrics.queued.add(out.frame.length());
        if (due) {
            return false;
        }
        due = true;
        return true;
    }

    private void closeLocked() {
        closed = true;
        last = false;
        queue.clear();
        metrics.queued.add(-bytes);
        bytes = 0;
        room.signalAll();
    }
}
