package io.eventline.gateway.stream;

import java.util.ArrayList;
import java.util.List;

import io.vertx.core.buffer.Buffer;

/**
 * One open {@code GET /api/stream} as the dispatcher sees it: a state machine, owned by the
 * dispatcher thread, that turns each {@link Delivery} into the frame this stream must send, or
 * none, and queues it in its {@link Outbox}. It never calls back into whoever hands it a delivery.
 *
 * <pre>
 *   OPENING ──goLive──────────────────────────────▶ LIVE ──close──▶ CLOSED
 *      └─────catchUp──▶ CATCHING_UP ──caughtUp─────▲
 * </pre>
 *
 * <p>A new stream goes live at the dispatcher's frontier: {@code ready}, then every record after
 * it, each with the shared frame. A resuming stream catches up: a replay sends what it missed up
 * to the frontier of its registration while the live deliveries meanwhile are held; once the
 * replay is done they are sent, but for those the client already has. A stream that resumed from
 * an instance further along than this one keeps its own {@code position} until the dispatcher has
 * passed it on every partition, and builds its own ids until then.
 */
final class Stream {

    enum State { OPENING, CATCHING_UP, LIVE, CLOSED }

    final Identity identity;
    final Frames frames;
    final Outbox outbox;
    /** The {@code retry:} hint of its {@code ready}. */
    final long retryMillis;
    /** Why its cursor could not be used (a reset is sent with {@code ready}); null when it could. */
    private final String resetReason;
    private final int maxHeld;

    private State state = State.OPENING;
    /** The next offset per partition this stream needs, while it stands ahead of the dispatcher somewhere. */
    private long[] position;
    /** Live deliveries held while it catches up. */
    private List<Delivery> held;
    /** The dispatcher's tick of the last delivery this stream sent. */
    private long sentInTick = -1;

    Stream(Identity identity, Frames frames, Outbox outbox, long retryMillis, String resetReason, int maxHeld) {
        this.identity = identity;
        this.frames = frames;
        this.outbox = outbox;
        this.retryMillis = retryMillis;
        this.resetReason = resetReason;
        this.maxHeld = maxHeld;
    }

    String sub() {
        return identity.sub();
    }

    String role() {
        return identity.role();
    }

    /** A new stream: live from {@code frontier} on, announced by {@code ready} (and {@code reset} if its cursor was unusable). */
    void goLive(long[] frontier, CursorCodec codec) {
        if (state != State.OPENING) {
            return;
        }
        state = State.LIVE;
        String cursor = codec.encode(frontier);
        Buffer ready = Sse.ready(retryMillis, cursor, false);
        outbox.add(resetReason == null ? ready : ready.appendBuffer(Sse.reset(cursor, resetReason)), null);
    }

    /** A resuming stream: its replay runs elsewhere; live deliveries are held until {@link #caughtUp}. */
    void catchUp() {
        if (state == State.OPENING) {
            state = State.CATCHING_UP;
            held = new ArrayList<>();
        }
    }

    /** A live record or heartbeat for this stream; {@code wakeups} gathers the outboxes it makes due. */
    void offer(Delivery delivery, Wakeups wakeups) {
        switch (state) {
            case CATCHING_UP -> hold(delivery);
            case LIVE -> send(delivery, wakeups);
            default -> {
                // not yet, or no longer
            }
        }
    }

    private void hold(Delivery delivery) {
        if (delivery.isHeartbeat()) {
            return; // the replay ends with one
        }
        if (held.size() >= maxHeld) {
            close();
            outbox.cut("the live records held during its replay passed the bound");
            return;
        }
        held.add(delivery);
    }

    private void send(Delivery delivery, Wakeups wakeups) {
        if (delivery.isHeartbeat() && sentInTick == delivery.tick - 1) {
            return; // it sent something since the previous tick: its client knows it is alive
        }
        Buffer frame;
        if (position == null) {
            frame = delivery.frame(frames);
        } else {
            Change c = delivery.change;
            if (c != null) {
                if (c.offset < position[c.slot]) {
                    return; // already delivered by the instance the client came from
                }
                position[c.slot] = c.offset + 1;
            }
            frame = delivery.frameAt(aheadOf(delivery.frontier), frames);
        }
        sentInTick = delivery.tick; // only what it sends counts, not a record it already had
        outbox.add(frame, delivery.change, wakeups);
    }

    /**
     * Each partition at the larger of where the client is and where the dispatcher is; once the
     * dispatcher has passed the client everywhere, the stream shares the dispatcher's frames again.
     */
    private long[] aheadOf(long[] frontier) {
        boolean ahead = false;
        long[] merged = new long[frontier.length];
        for (int i = 0; i < frontier.length; i++) {
            merged[i] = Math.max(position[i], frontier[i]);
            ahead |= position[i] > frontier[i];
        }
        if (!ahead) {
            position = null;
        }
        return merged;
    }

    /**
     * The replay is done at {@code replayed} (every partition at least at the frontier of
     * registration): a heartbeat with that cursor, then the held deliveries the client does not
     * have yet, then live.
     */
    void caughtUp(long[] replayed, CursorCodec codec) {
        if (state != State.CATCHING_UP) {
            return;
        }
        List<Delivery> pending = held;
        held = null;
        state = State.LIVE;
        position = replayed.clone();
        if (!outbox.add(Sse.heartbeat(codec.encode(position)), null)) {
            return;
        }
        for (Delivery d : pending) {
            Change c = d.change;
            if (c.offset < position[c.slot]) {
                continue;
            }
            position[c.slot] = c.offset + 1;
            long[] id = new long[position.length];
            for (int i = 0; i < id.length; i++) {
                id[i] = Math.max(position[i], d.frontier[i]);
            }
            if (!outbox.add(d.frameAt(id, frames), c)) {
                return;
            }
        }
    }

    /** The dispatcher has let go of it. */
    void close() {
        state = State.CLOSED;
        held = null;
    }
}
