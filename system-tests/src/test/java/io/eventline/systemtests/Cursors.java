package io.eventline.systemtests;

import java.util.Base64;
import java.util.List;

/**
 * Reads the offsets out of a stream cursor (without checking its signature), so a test can tell
 * that a stream has moved past a record: proof that it will not deliver it, without waiting an
 * arbitrary time. Layout: see the gateway's CursorCodec.
 */
public final class Cursors {

    /** The streamed topics in cursor order, 6 partitions each on local-stack. */
    public static final List<String> TOPICS = List.of("eventline.events", "eventline.messages", "eventline.notifications");
    public static final int PARTITIONS = 6;

    private Cursors() {
    }

    public static long[] offsets(String cursor) {
        byte[] raw = Base64.getUrlDecoder().decode(cursor);
        long[] offsets = new long[TOPICS.size() * PARTITIONS];
        int pos = 5;
        for (int i = 0; i < offsets.length; i++) {
            long value = 0;
            int shift = 0;
            byte b;
            do {
                b = raw[pos++];
                value |= (long) (b & 0x7f) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            offsets[i] = value;
        }
        return offsets;
    }

    /** Whether the cursor is past {@code offset} of the partition. */
    public static boolean past(String cursor, String topic, int partition, long offset) {
        return offsets(cursor)[TOPICS.indexOf(topic) * PARTITIONS + partition] > offset;
    }
}
