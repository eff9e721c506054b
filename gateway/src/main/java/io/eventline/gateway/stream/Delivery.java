package io.eventline.gateway.stream;

import io.vertx.core.buffer.Buffer;

/**
 * What the dispatcher hands every stream a record or a heartbeat is for: the change (none for a
 * heartbeat), the dispatcher's frontier just after it, and the frame with that frontier as its id,
 * which is the frame of every live stream that has caught up with this instance. The cursor and
 * each naming's frame are built once, when the first stream asks, and shared; the frontier is a
 * copy that nobody changes. Dispatcher thread; held by resuming streams until they go live.
 */
final class Delivery {

    final Change change;
    final long[] frontier;
    final CursorCodec codec;
    /** The dispatcher's heartbeat tick when it was made: a stream that sent something in the last tick skips the next heartbeat. */
    final long tick;
    private String cursor;
    private Buffer typed;
    private Buffer record;

    private Delivery(Change change, long[] frontier, CursorCodec codec, long tick) {
        this.change = change;
        this.frontier = frontier;
        this.codec = codec;
        this.tick = tick;
    }

    static Delivery of(Change change, long[] frontier, CursorCodec codec, long tick) {
        return new Delivery(change, frontier.clone(), codec, tick);
    }

    static Delivery heartbeat(long[] frontier, CursorCodec codec, long tick) {
        return new Delivery(null, frontier.clone(), codec, tick);
    }

    boolean isHeartbeat() {
        return change == null;
    }

    /** The frame, named as {@code naming} says, with the frontier as id. */
    Buffer frame(Frames naming) {
        if (change == null) {
            if (typed == null) {
                typed = Sse.heartbeat(cursor());
            }
            return typed;
        }
        if (naming == Frames.RECORD) {
            if (record == null) {
                record = Sse.frame(cursor(), change, naming);
            }
            return record;
        }
        if (typed == null) {
            typed = Sse.frame(cursor(), change, naming);
        }
        return typed;
    }

    /** The same content with another position as id, for a stream that stands elsewhere. */
    Buffer frameAt(long[] position, Frames naming) {
        String id = codec.encode(position);
        return change == null ? Sse.heartbeat(id) : Sse.frame(id, change, naming);
    }

    private String cursor() {
        if (cursor == null) {
            cursor = codec.encode(frontier);
        }
        return cursor;
    }
}
