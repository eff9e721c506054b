package io.eventline.gateway.stream;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outboxes one record made due, gathered per socket writer and handed to each writer at once
 * (every {@link #CHUNK} of them, and at the record's end), instead of one hand-over per stream.
 * Dispatcher thread only.
 */
final class Wakeups {

    /** A writer starts on the first streams while the dispatcher is still offering the record to the rest. */
    static final int CHUNK = 256;

    private final Map<SocketWriter, List<Outbox>> byWriter = new IdentityHashMap<>();

    void add(Outbox outbox) {
        List<Outbox> due = byWriter.computeIfAbsent(outbox.writer, w -> new ArrayList<>(CHUNK));
        due.add(outbox);
        if (due.size() >= CHUNK) {
            hand(outbox.writer, due);
        }
    }

    /** Hands every writer what is gathered for it. */
    void flush() {
        byWriter.forEach((writer, due) -> {
            if (!due.isEmpty()) {
                hand(writer, due);
            }
        });
    }

    private static void hand(SocketWriter writer, List<Outbox> due) {
        writer.wakeAll(due.toArray(Outbox[]::new));
        due.clear();
    }
}
