package io.eventline.gateway.stream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import org.apache.kafka.common.TopicPartition;

/**
 * The streamed partitions in a fixed order: topic by topic as configured, partitions ascending.
 * A cursor is one offset per slot of this order; the fingerprint (topics and partition counts)
 * tells a cursor made for another layout, which is then reset rather than misread.
 */
public final class Topology {

    private final List<TopicPartition> partitions;
    private final Map<TopicPartition, Integer> slots = new HashMap<>();
    private final int fingerprint;

    public Topology(Map<String, Integer> partitionCounts, List<String> topicOrder) {
        List<TopicPartition> all = new ArrayList<>();
        StringBuilder layout = new StringBuilder();
        for (String topic : topicOrder) {
            Integer count = partitionCounts.get(topic);
            if (count == null || count < 1) {
                throw new IllegalArgumentException("topic " + topic + " has no partitions");
            }
            layout.append(topic).append(':').append(count).append(',');
            for (int p = 0; p < count; p++) {
                slots.put(new TopicPartition(topic, p), all.size());
                all.add(new TopicPartition(topic, p));
            }
        }
        this.partitions = List.copyOf(all);
        CRC32 crc = new CRC32();
        crc.update(layout.toString().getBytes(StandardCharsets.UTF_8));
        this.fingerprint = (int) crc.getValue();
    }

    public int size() {
        return partitions.size();
    }

    public List<TopicPartition> partitions() {
        return partitions;
    }

    public TopicPartition partition(int slot) {
        return partitions.get(slot);
    }

    /** The slot of a partition, or -1 when it is not streamed (for example, added after start). */
    public int slot(String topic, int partition) {
        Integer slot = slots.get(new TopicPartition(topic, partition));
        return slot == null ? -1 : slot;
    }

    public int fingerprint() {
        return fingerprint;
    }
}
