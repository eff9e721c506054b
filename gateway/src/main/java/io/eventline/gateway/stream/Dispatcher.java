package io.eventline.gateway.stream;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;

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

/**
 * Reads every streamed partition, from one thread, and hands each record to the open streams its
 * audience admits, and to nobody else.
 *
 * <p>It keeps the <em>frontier</em>: per partition, the offset after the last record it has
 * dispatched. A stream that is live has been offered every record below the frontier, so the
 * frontier is the cursor of every live stream after each record, encoded once per record in its
 * {@link Delivery}. Registrations happen on this thread, between two records, which is what makes
 * "live from here, replay up to here" exact. Everything it owns (the frontier, the history's
 * writes, the {@link SubscriptionIndex} and every {@link Stream}'s state) is touched by this thread
 * only; other threads reach it through {@link #register}, {@link #unregister} and a replay's end,
 * which queue a task for it.
 */
final class Dispatcher implements Runnable {

    private final StreamConfig config;
    private final KafkaSettings kafka;
    private final Signer signer;
    private final StreamMetrics metrics;
    private final Replayer replayer;
    private final ConcurrentLinkedQueue<Runnable> control = new ConcurrentLinkedQueue<>();

    private volatile boolean running = true;
    private volatile boolean ready;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile CursorCodec codec;
    private volatile Thread thread;

    // Dispatcher thread only.
    private long[] frontier;
    private History history;
    private final SubscriptionIndex index = new SubscriptionIndex();
    private final Wakeups wakeups = new Wakeups();
    private long lastHeartbeat = System.nanoTime();
    /** Heartbeat ticks so far: one every half heartbeat interval. */
    private long tick;
    private long lastLagCheck;

    Dispatcher(StreamConfig config, KafkaSettings kafka, Signer signer, StreamMetrics metrics, Replayer replayer) {
        this.config = config;
        this.kafka = kafka;
        this.signer = signer;
        this.metrics = metrics;
        this.replayer = replayer;
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

    /** The cursor codec of the topics as read at startup; null until then. */
    CursorCodec codec() {
        return codec;
    }

    /**
     * Adds a stream. Without {@code resumeFrom} it goes live at the frontier; with it, a replay
     * sends it {@code [resumeFrom, frontier)} while its live records are held, then it goes live.
     */
    void register(Stream stream, long[] resumeFrom) {
        control.add(() -> {
            if (stream.outbox.closed() || !index.add(stream)) {
                return;
            }
            metrics.subscriptions.set(index.size());
            if (resumeFrom == null) {
                stream.goLive(frontier, codec);
                return;
            }
            stream.catchUp();
            CursorCodec c = codec;
            replayer.catchUp(stream, resumeFrom, frontier.clone(), c, history).whenComplete((at, failed) -> {
                if (at != null) {
                    control.add(() -> stream.caughtUp(at, c));
                    wakeup();
                } else if (failed != null) {
                    stream.outbox.close(); // a replay that died: its client reconnects and resumes
                }
            });
        });
        wakeup();
    }

    void unregister(Stream stream) {
        control.add(() -> {
            stream.close();
            if (index.remove(stream)) {
                metrics.subscriptions.set(index.size());
            }
        });
    }

    private void wakeup() {
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null && ready) {
            c.wakeup();
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
                    heartbeatIfDue(); // a large batch does not delay the ticks
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
        Change change = new Change(slot, r.offset(), r.timestamp(), System.currentTimeMillis(), record);
        history.append(change);
        frontier[slot] = r.offset() + 1;
        if (ready) {
            metrics.received(change);
        }
        Delivery delivery = Delivery.of(change, frontier, codec, tick);
        try {
            index.forEachAdmitted(change.audience, s -> offer(s, delivery));
        } finally {
            wakeups.flush();
        }
    }

    /**
     * A tick every half heartbeat interval; a stream gets a heartbeat at a tick unless it sent a
     * frame since the previous one, so no stream is silent longer than the interval, and streams
     * that records keep busy get none (under load, a heartbeat to every stream would be another
     * fan-out to all of them).
     */
    private void heartbeatIfDue() {
        long now = System.nanoTime();
        long half = config.heartbeatInterval().toNanos() / 2;
        if (now - lastHeartbeat < half) {
            return;
        }
        // At a fixed rate, so that the delays of two ticks do not add up; after a long stall, from now.
        lastHeartbeat = now - lastHeartbeat < 2 * half ? lastHeartbeat + half : now;
        Delivery heartbeat = Delivery.heartbeat(frontier, codec, ++tick);
        try {
            index.forEach(s -> offer(s, heartbeat));
        } finally {
            wakeups.flush();
        }
    }

    /** One stream's share of a delivery: a failure there cuts that stream (it resumes), not the others' share. */
    private void offer(Stream stream, Delivery delivery) {
        try {
            stream.offer(delivery, wakeups);
        } catch (RuntimeException e) {
            Log.warnf(e, "live stream: a delivery to a stream of %s failed; it is cut and resumes", stream.sub());
            stream.close();
            stream.outbox.cut("a delivery to it failed");
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
