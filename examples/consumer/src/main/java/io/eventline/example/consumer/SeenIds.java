package io.eventline.example.consumer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code ce_id}s handled lately, the oldest forgotten first. Enough to drop the repeated
 * prefix of an at-least-once delivery (the relay's retry, a rebalance) within one process.
 *
 * <p>A consumer whose effects must happen exactly once across restarts keeps the ids where its
 * effects are, in the same transaction (as Eventline's own {@code changefeed_processed} table
 * does), instead of in memory.
 */
final class SeenIds {

    private final Map<String, Boolean> ids;

    SeenIds(int capacity) {
        this.ids = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        };
    }

    boolean contains(String id) {
        return ids.containsKey(id);
    }

    /** Called once the record is handled: a record whose handling failed is not "seen". */
    void add(String id) {
        ids.put(id, Boolean.TRUE);
    }
}
