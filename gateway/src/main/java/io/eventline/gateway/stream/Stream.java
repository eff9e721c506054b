package io.eventline.gateway.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * One open {@code GET /api/stream}: its user, where it stands, and what is queued for its socket.
 *
 * <p>Three writers feed it: the dispatcher (live records and heartbeats), a replay (while it
 * catches up) and its event loop (ready, expired). Frames go into a bounded queue that its event
 * loop drains into the socket, as long as the socket accepts them. A live stream whose queue
 * passes the send buffer while its socket refuses more (or passes four times the send buffer in
 * any case) is cut: its client resumes with the last id it received, and the records it missed
 * are replayed then. A replay waits for the client instead.
 */
final class Stream {

    enum State { REGISTERING, CATCHING_UP, LIVE, CLOSED }

    /** A frame waiting for the socket; {@code timestamp} is the record's, for live records. */
    private record Out(Buffer frame, long timestamp, boolean live) {
    }

    /** A live record that arrived while the stream was replaying, and the frontier just after it. */
    private record Pending(Change change, long[] frontier) {
    }

    final Identity identity;
    /** How its record frames are named ({@code ?frames=}). */
    final Frames frames;
    final HttpServerResponse response;
    private final HttpConnection connection;
    final Context context;
    private final StreamHub hub;

    /** Dispatcher thread only: the record last offered, so an audience naming it twice delivers once. */
    long stamp = -1;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writable = lock.newCondition();
    private State state = State.REGISTERING;
    /** The next offset per partition that this stream still needs, while it replays or runs ahead of this instance. */
    private long[] position;
    private List<Pending> pending;
    private final ArrayDeque<Out> out = new ArrayDeque<>(4);
    private int queuedBytes;
    private boolean drainScheduled;
    /** The socket has refused more (its write queue is full) since the last drain. */
    private boolean socketFull;
    private boolean endAfterFlush;
    private final AtomicBoolean released = new AtomicBoolean();
    long expiryTimer = -1;

    Stream(Identity identity, Frames frames, HttpServerResponse response, HttpConnection connection, Context context,
            StreamHub hub) {
        this.identity = identity;
        this.frames = frames;
        this.response = response;
        this.connection = connection;
        this.context = context;
        this.hub = hub;
    }

    String sub() {
        return identity.sub();
    }

    String role() {
        return identity.role();
    }

    // ---- dispatcher thread -------------------------------------------------------------------

    /** A new stream: live from the dispatcher's frontier on, announced by {@code ready}. */
    void beginLive(Buffer ready) {
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return;
            }
            state = State.LIVE;
        } finally {
            lock.unlock();
        }
        send(ready, 0, false);
    }

    /** A resuming stream: live records are held back until its replay is done. */
    void beginCatchUp() {
        lock.lock();
        try {
            if (state != State.CLOSED) {
                state = State.CATCHING_UP;
                pending = new ArrayList<>();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A live record for this stream's audience; {@code frontier} is the dispatcher's, just after it. */
    void offer(Change change, Dispatcher dispatcher) {
        Buffer frame;
        lock.lock();
        try {
            switch (state) {
                case CLOSED, REGISTERING:
                    return;
                case CATCHING_UP:
                    if (pending.size() >= hub.config().maxPendingDuringReplay()) {
                        cut("the live records held during its replay passed the bound");
                        return;
                    }
                    pending.add(new Pending(change, dispatcher.frontierSnapshot()));
                    return;
                case LIVE:
                default:
                    if (position == null) {
                        frame = dispatcher.sharedFrame(change, frames);
                    } else {
                        if (change.offset < position[change.slot]) {
                            return; // already delivered by the instance the client came from
                        }
                        position[change.slot] = change.offset + 1;
                        frame = Sse.frame(aheadCursor(dispatcher.frontier(), dispatcher.codec()), change, frames);
                    }
            }
        } finally {
            lock.unlock();
        }
        send(frame, change.timestamp, true);
    }

    /** A heartbeat carrying where the stream stands now. Skipped while it replays: the replay ends with one. */
    void heartbeat(Buffer shared, Dispatcher dispatcher) {
        Buffer frame;
        lock.lock();
        try {
            if (state != State.LIVE) {
                return;
            }
            frame = position == null ? shared : Sse.heartbeat(aheadCursor(dispatcher.frontier(), dispatcher.codec()));
        } finally {
            lock.unlock();
        }
        send(frame, 0, false);
    }

    /**
     * The cursor of a stream that resumed from an instance further along than this one: each
     * partition at the larger of where the client is and where the dispatcher is. Once the
     * dispatcher has passed the client everywhere, the stream shares the dispatcher's ids again.
     */
    private String aheadCursor(long[] frontier, CursorCodec codec) {
        boolean ahead = false;
        long[] merged = new long[frontier.length];
        for (int i = 0; i < frontier.length; i++) {
            merged[i] = Math.max(position[i], frontier[i]);
            ahead |= position[i] > frontier[i];
        }
        if (!ahead) {
            position = null;
        }
        return codec.encode(merged);
    }

    // ---- replay ------------------------------------------------------------------------------

    /** A replayed frame; waits while the client has not taken the previous ones. False once the stream is gone. */
    boolean sendReplayed(Buffer frame, long timestamp, long waitMillis) throws InterruptedException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (state != State.CLOSED && queuedBytes > hub.config().sendBuffer() / 2) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    cut("it did not read its replay");
                    return false;
                }
                writable.awaitNanos(left);
            }
            if (state == State.CLOSED) {
                return false;
            }
        } finally {
            lock.unlock();
        }
        return send(frame, timestamp, false);
    }

    /**
     * Ends the replay at {@code replayed} (every partition at least at the dispatcher's frontier of
     * registration): a heartbeat with that cursor, then the live records held meanwhile that the
     * client does not have yet, then live.
     */
    void finishCatchUp(long[] replayed, CursorCodec codec) {
        List<Buffer> frames = new ArrayList<>();
        List<Long> timestamps = new ArrayList<>();
        lock.lock();
        try {
            if (state != State.CATCHING_UP) {
                return;
            }
            position = replayed;
            frames.add(Sse.heartbeat(codec.encode(position)));
            timestamps.add(0L);
            for (Pending p : pending) {
                Change c = p.change();
                if (c.offset < position[c.slot]) {
                    continue;
                }
                position[c.slot] = c.offset + 1;
                long[] id = new long[position.length];
                for (int i = 0; i < id.length; i++) {
                    id[i] = Math.max(position[i], p.frontier()[i]);
                }
                frames.add(Sse.frame(codec.encode(id), c, this.frames));
                timestamps.add(c.timestamp);
            }
            pending = null;
            state = State.LIVE; // position stays set: the dispatcher drops it once it has passed the client
            for (int i = 0; i < frames.size(); i++) {
                enqueueLocked(frames.get(i), timestamps.get(i), i > 0);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- event loop and any thread -----------------------------------------------------------

    /**
     * Queues a frame for the socket; a live stream whose queue passes the send buffer is cut.
     * {@code live}: a live record, counted as delivered with its latency.
     */
    boolean send(Buffer frame, long timestamp, boolean live) {
        lock.lock();
        try {
            return enqueueLocked(frame, timestamp, live);
        } finally {
            lock.unlock();
        }
    }

    private boolean enqueueLocked(Buffer frame, long timestamp, boolean live) {
        if (state == State.CLOSED) {
            return false;
        }
        long after = queuedBytes + (long) frame.length();
        if (state == State.LIVE && queuedBytes > 0 && after > hub.config().sendBuffer()
                && (socketFull || after > 4L * hub.config().sendBuffer())) {
            cut("its send buffer is full: the client is not reading");
            return false;
        }
        out.add(new Out(frame, timestamp, live));
        queuedBytes += frame.length();
        hub.queued(frame.length());
        if (!drainScheduled) {
            drainScheduled = true;
            hub.scheduleDrain(this);
        }
        return true;
    }

    /** Sends {@code event: expired} and ends the stream. */
    void expire() {
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return;
            }
            out.add(new Out(Sse.expired(), 0, false));
            endAfterFlush = true;
            state = State.CLOSED; // nothing more after expired
            if (!drainScheduled) {
                drainScheduled = true;
                hub.scheduleDrain(this);
            }
        } finally {
            lock.unlock();
        }
        hub.expired();
    }

    /** Event loop: the socket has room again. */
    void writable() {
        lock.lock();
        socketFull = false;
        lock.unlock();
        drain();
    }

    /** Event loop: moves the queue into the socket while it accepts more. */
    void drain() {
        Out[] batch;
        boolean end;
        lock.lock();
        try {
            drainScheduled = false;
            if (out.isEmpty()) {
                return;
            }
            if (response.writeQueueFull() && !endAfterFlush) {
                socketFull = true;
                return; // the drain handler calls again once the socket has room
            }
            batch = out.toArray(Out[]::new);
            out.clear();
            hub.queued(-queuedBytes);
            queuedBytes = 0;
            end = endAfterFlush;
            writable.signalAll();
        } finally {
            lock.unlock();
        }
        Buffer data = batch.length == 1 ? batch[0].frame() : Buffer.buffer();
        if (batch.length > 1) {
            for (Out o : batch) {
                data.appendBuffer(o.frame());
            }
        }
        try {
            if (end) {
                response.end(data);
                release();
            } else {
                response.write(data);
                if (response.writeQueueFull()) {
                    lock.lock();
                    socketFull = true;
                    lock.unlock();
                }
            }
        } catch (IllegalStateException closed) {
            release();
            return;
        }
        long now = System.currentTimeMillis();
        for (Out o : batch) {
            if (o.live()) {
                hub.delivered(now - o.timestamp());
            }
        }
    }

    /** Closes the connection of a stream that cannot keep up; its client resumes from its last id. */
    void cut(String why) {
        if (!closeQueue()) {
            return;
        }
        hub.cut(this, why);
        context.runOnContext(v -> disconnect());
    }

    /** Closes the stream without a reason given to the client (shutdown). */
    void close() {
        closeQueue();
        context.runOnContext(v -> disconnect());
    }

    /** Marks the stream closed and drops what is queued; false when it already was closed. */
    private boolean closeQueue() {
        lock.lock();
        try {
            boolean wasOpen = state != State.CLOSED;
            state = State.CLOSED;
            out.clear();
            hub.queued(-queuedBytes);
            queuedBytes = 0;
            pending = null;
            writable.signalAll();
            return wasOpen;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Event loop: drops the connection now. {@code response.close()} would first wait for the
     * queued bytes to reach the client, which a client that does not read never lets happen.
     */
    private void disconnect() {
        if (connection instanceof ConnectionBase base) {
            base.channel().close();
        } else {
            connection.close();
        }
        release();
    }

    /** The connection is gone, whoever closed it: called once, from the response's end and close handlers. */
    void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        closeQueue();
        hub.released(this);
    }

    boolean isClosed() {
        lock.lock();
        try {
            return state == State.CLOSED;
        } finally {
            lock.unlock();
        }
    }
}
