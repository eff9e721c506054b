package io.eventline.gateway.stream;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * The last records of every partition, for replay without Kafka: one ring per partition, written
 * by the dispatcher only, read by replays concurrently and without locks (a reader that finds a
 * slot overwritten under it stops, and the caller reads the rest from Kafka).
 */
final class History {

    /** A change and its position in its partition's ring. */
    private record Entry(long sequence, Change change) {
    }

    private final int capacity;
    private final AtomicReferenceArray<Entry>[] rings;
    /** Records ever appended per partition. */
    private final AtomicLongArray appended;
    /** Per partition: history holds every record from this offset up to the dispatcher's frontier. */
    private final AtomicLongArray completeFrom;

    @SuppressWarnings("unchecked")
    History(int partitions, int capacity) {
        this.capacity = capacity;
        this.rings = new AtomicReferenceArray[partitions];
        for (int i = 0; i < partitions; i++) {
            rings[i] = new AtomicReferenceArray<>(capacity);
        }
        this.appended = new AtomicLongArray(partitions);
        this.completeFrom = new AtomicLongArray(partitions);
    }

    /** Where the history of a partition starts (the dispatcher's first position on it). */
    void startAt(int slot, long offset) {
        completeFrom.set(slot, offset);
    }

    /** Dispatcher thread only. */
    void append(Change change) {
        int slot = change.slot;
        long n = appended.get(slot);
        AtomicReferenceArray<Entry> ring = rings[slot];
        int index = (int) (n % capacity);
        Entry evicted = ring.get(index);
        if (evicted != null) {
            completeFrom.set(slot, evicted.change.offset + 1); // before the slot is reused: readers check it
        }
        ring.set(index, new Entry(n, change));
        appended.set(slot, n + 1);
    }

    /** Whether replaying a partition from {@code offset} can start here rather than in Kafka. */
    boolean covers(int slot, long offset) {
        return offset >= completeFrom.get(slot);
    }

    long completeFrom(int slot) {
        return completeFrom.get(slot);
    }

    /**
     * Feeds the partition's records in {@code [from, to)} to {@code sink}, in order. Returns the
     * offset it got to: {@code to} when done, less when the records from there on were evicted
     * meanwhile (read those from Kafka).
     */
    long replay(int slot, long from, long to, Consumer<Change> sink) {
        if (!covers(slot, from)) {
            return from;
        }
        AtomicReferenceArray<Entry> ring = rings[slot];
        long end = appended.get(slot);
        long lo = Math.max(0, end - capacity);
        long hi = end;
        while (lo < hi) { // first sequence whose offset >= from
            long mid = (lo + hi) >>> 1;
            Entry e = ring.get((int) (mid % capacity));
            if (e == null || e.sequence != mid) {
                return from; // overwritten under us: let Kafka serve it
            }
            if (e.change.offset < from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (!covers(slot, from)) {
            return from; // the records just before the first one found were evicted during the search
        }
        long position = from;
        for (long seq = lo; seq < end; seq++) {
            Entry e = ring.get((int) (seq % capacity));
            if (e == null || e.sequence != seq) {
                return position;
            }
            Change c = e.change;
            if (c.offset >= to) {
                return to;
            }
            sink.accept(c);
            position = c.offset + 1;
        }
        return to; // every record below the frontier was appended before it moved: the rest are gaps
    }
}
