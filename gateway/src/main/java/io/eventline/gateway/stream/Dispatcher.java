package io.eventline.gateway.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiConsumer;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.InvalidChangeRecordException;
import io.quarkus.logging.Log;
import io.vertx.core.buffer.Buffer;

/**
 * Reads every streamed partition, from one thread, and hands each record to the open streams its
 * audience names, and to nobody else.
 *
 * <p>It keeps the <em>frontier</em>: per partition, the offset after the last record it has
 * dispatched. A stream that is live has been offered every record below the frontier, so the
 * frontier is the cursor of every live stream after each record, encoded once and shared.
 * Registrations happen on this thread, between two records, which is what makes "live from here,
 * replay up to here" exact.
 */
final class Dispatcher implements Runnable {

    private final StreamConfig config;
    private final KafkaSettings kafka;
    private final Signer signer;
    private final StreamMetrics metrics;
    private final ConcurrentLinkedQueue<Runnable> control = new ConcurrentLinkedQueue<>();

    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile CursorCodec codec;
    private volatile History history;
    private volatile Thread thread;

    // Dispatcher thread only.
    private long[] frontier;
    private long stamp;
    private long[] frontierSnapshot;
    private long snapshotStamp = -1;
    private String sharedCursor;
    private long sharedCursorStamp = -1;
    private final Map<String, List<Stream>> byUser = new HashMap<>();
    private final Map<String, Set<Stream>> byRole = new HashMap<>();
    private final Set<Stream> all = new LinkedHashSet<>();
    private long lastHeartbeat = System.nanoTime();
    private long lastLagCheck;

    Dispatcher(StreamConfig config, KafkaSettings kafka, Signer signer, StreamMetrics metrics) {
        this.config = config;
        this.kafka = kafka;
        this.signer = signer;
        this.metrics = metrics;
    }

    void start() {
        thread = Thread.ofPlatform().name("eventline-stream-dispatcher").daemon().start(this);
    }

    void stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        Thread t = thread;
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Preloaded its history and dispatching: streams can open. */
    boolean ready() {
        return ready;
    }

    CursorCodec codec() {
        return codec;
    }

    History history() {
        return history;
    }

    /**
     * Adds a stream. A new stream starts live at the frontier; a resuming one is held while
     * {@code onCatchUp} replays from its cursor up to the frontier of this moment.
     */
    void register(Stream stream, BiConsumer<Stream, long[]> onCatchUp, boolean resuming,
            Function<long[], Buffer> readyFrame) {
        control.add(() -> {
            if (stream.isClosed()) {
                return;
            }
            index(stream);
            long[] at = frontier.clone();
            if (resuming) {
                stream.beginCatchUp();
                onCatchUp.accept(stream, at);
            } else {
                stream.beginLive(readyFrame.apply(at));
            }
        });
        wakeup();
    }

    void unregister(Stream stream) {
        control.add(() -> {
            List<Stream> mine = byUser.get(stream.sub());
            if (mine != null && mine.remove(stream) && mine.isEmpty()) {
                byUser.remove(stream.sub());
            }
            Set<Stream> role = byRole.get(stream.role());
            if (role != null) {
                role.remove(stream);
            }
            if (all.remove(stream)) {
                metrics.subscriptions.decrementAndGet();
            }
        });
    }

    /** Every stream the dispatcher knows, for shutdown. */
    void closeAll() {
        control.add(() -> all.forEach(Stream::close));
        wakeup();
    }

    private void wakeup() {
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null && ready) {
            c.wakeup();
        }
    }

    private void index(Stream stream) {
        byUser.computeIfAbsent(stream.sub(), k -> new ArrayList<>(2)).add(stream);
        byRole.computeIfAbsent(stream.role(), k -> new LinkedHashSet<>()).add(stream);
        if (all.add(stream)) {
            metrics.subscriptions.incrementAndGet();
        }
    }

    // ---- the thread --------------------------------------------------------------------------

    @Override
    public void run() {
        while (running) {
            try {
                connectAndPreload();
                break;
            } catch (WakeupException e) {
                continue;
            } catch (RuntimeException e) {
                Log.warnf("live stream: cannot read the change topics yet (%s); retrying", e.toString());
                closeConsumer();
                pause(1_000);
            }
        }
        while (running) {
            try {
                runControl();
                ConsumerRecords<String, byte[]> records;
                try {
                    records = consumer.poll(Duration.ofMillis(200));
                } catch (WakeupException e) {
                    continue;
                }
                for (ConsumerRecord<String, byte[]> r : records) {
                    dispatch(r);
                }
                heartbeatIfDue();
                measureLag();
            } catch (RuntimeException e) {
                Log.errorf(e, "live stream dispatcher: unexpected failure; continuing");
                pause(100);
            }
        }
        closeConsumer();
    }

    private void connectAndPreload() {
        Properties props = kafka.consumer("gateway-stream-dispatcher");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "100");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        consumer = c;
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String topic : config.topics()) {
            List<PartitionInfo> info = c.partitionsFor(topic, Duration.ofSeconds(10));
            if (info == null || info.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            counts.put(topic, info.size());
        }
        Topology topology = new Topology(counts, config.topics());
        History h = new History(topology.size(), config.historyPerPartition());
        List<TopicPartition> tps = topology.partitions();
        c.assign(tps);
        Map<TopicPartition, Long> begin = c.beginningOffsets(tps);
        Map<TopicPartition, Long> end = c.endOffsets(tps);
        long[] f = new long[tps.size()];
        for (int slot = 0; slot < tps.size(); slot++) {
            TopicPartition tp = tps.get(slot);
            long start = Math.max(begin.get(tp), end.get(tp) - config.historyPerPartition());
            c.seek(tp, start);
            f[slot] = start;
            h.startAt(slot, start);
        }
        frontier = f;
        history = h;
        codec = new CursorCodec(signer, topology);
        long preloaded = 0;
        while (running && !caughtUp(c, tps, end)) {
            for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                dispatch(r);
                preloaded++;
            }
        }
        ready = true;
        Log.infof("live stream: reading %d partitions of %s; %d records preloaded for replay", tps.size(),
                config.topics(), preloaded);
    }

    private static boolean caughtUp(KafkaConsumer<String, byte[]> c, List<TopicPartition> tps, Map<TopicPartition, Long> end) {
        for (TopicPartition tp : tps) {
            if (c.position(tp) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    private void runControl() {
        Runnable task;
        while ((task = control.poll()) != null) {
            task.run();
        }
    }

    private void dispatch(ConsumerRecord<String, byte[]> r) {
        int slot = codec.topology().slot(r.topic(), r.partition());
        if (slot < 0) {
            return;
        }
        ChangeRecord record;
        try {
            record = ChangeRecord.fromConsumerRecord(r);
        } catch (InvalidChangeRecordException e) {
            metrics.invalid();
            Log.warnf("live stream: skipping %s-%d@%d: %s", r.topic(), r.partition(), r.offset(), e.getMessage());
            frontier[slot] = Math.max(frontier[slot], r.offset() + 1);
            return;
        }
        Change change = new Change(slot, r.offset(), r.timestamp(), record);
        history.append(change);
        frontier[slot] = r.offset() + 1;
        stamp++;
        for (String entry : change.audience) {
            if (entry.equals("public")) {
                for (Stream s : all) {
                    deliver(s, change);
                }
                break;
            } else if (entry.startsWith("user:")) {
                List<Stream> streams = byUser.get(entry.substring(5));
                if (streams != null) {
                    for (Stream s : streams) {
                        deliver(s, change);
                    }
                }
            } else if (entry.startsWith("role:")) {
                Set<Stream> streams = byRole.get(entry.substring(5));
                if (streams != null) {
                    for (Stream s : streams) {
                        deliver(s, change);
                    }
                }
            }
        }
        change.sharedFrame = null; // the queues hold them now; the history keeps only the lines
        change.sharedRecordFrame = null;
    }

    private void deliver(Stream stream, Change change) {
        if (stream.stamp == stamp) {
            return; // named twice in the audience (its user and its role)
        }
        stream.stamp = stamp;
        stream.offer(change, this);
    }

    // Called by streams on this thread while a record is being dispatched.

    long[] frontier() {
        return frontier;
    }

    /** A copy of the frontier after the current record, made once however many streams ask. */
    long[] frontierSnapshot() {
        if (snapshotStamp != stamp) {
            frontierSnapshot = frontier.clone();
            snapshotStamp = stamp;
        }
        return frontierSnapshot;
    }

    /**
     * The current record's frame for every live stream that names its frames {@code frames}: the
     * frontier as id, encoded once; each naming's frame is built when the first stream of it asks.
     */
    Buffer sharedFrame(Change change, Frames frames) {
        if (frames == Frames.RECORD) {
            if (change.sharedRecordFrame == null) {
                change.sharedRecordFrame = Sse.frame(cursor(), change, frames);
            }
            return change.sharedRecordFrame;
        }
        if (change.sharedFrame == null) {
            change.sharedFrame = Sse.frame(cursor(), change, frames);
        }
        return change.sharedFrame;
    }

    private String cursor() {
        if (sharedCursorStamp != stamp) {
            sharedCursor = codec.encode(frontier);
            sharedCursorStamp = stamp;
        }
        return sharedCursor;
    }

    private void heartbeatIfDue() {
        long now = System.nanoTime();
        if (now - lastHeartbeat < config.heartbeatInterval().toNanos()) {
            return;
        }
        lastHeartbeat = now;
        stamp++; // the cursor cache is per record; a heartbeat encodes afresh
        Buffer frame = Sse.heartbeat(cursor());
        for (Stream s : all) {
            s.heartbeat(frame, this);
        }
    }

    private void measureLag() {
        long now = System.nanoTime();
        if (now - lastLagCheck < 1_000_000_000L) {
            return;
        }
        lastLagCheck = now;
        long total = 0;
        for (TopicPartition tp : codec.topology().partitions()) {
            total += consumer.currentLag(tp).orElse(0);
        }
        metrics.lag.set(total);
    }

    private void closeConsumer() {
        KafkaConsumer<String, byte[]> c = consumer;
        consumer = null;
        if (c != null) {
            try {
                c.close(Duration.ofSeconds(2));
            } catch (RuntimeException ignored) {
                // closing
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Dispatcher" + Arrays.toString(frontier);
    }
}
