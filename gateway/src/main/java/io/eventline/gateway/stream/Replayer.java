package io.eventline.gateway.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.InvalidChangeRecordException;
import io.quarkus.logging.Log;
import io.vertx.core.buffer.Buffer;

/**
 * Catches a resuming stream up: every record of its audience between its cursor and the
 * dispatcher's frontier at registration, per partition in order, from the in-memory history where
 * it still holds them and from Kafka (seek) before that. Runs on a virtual thread per stream;
 * at most {@code kafka-replay-concurrency} of them read Kafka at once.
 *
 * <p>When the gap cannot be replayed honestly (longer than the replay bound, older than Kafka's
 * retention, or a position Kafka does not have), the stream gets {@code event: reset} and starts
 * live from the frontier.
 */
final class Replayer {

    /** How long a replay waits for a client to read, or for Kafka, before the stream is cut to retry. */
    private static final long STALL_MILLIS = 30_000;

    /** Thrown inside a replay to stop it: the stream is gone or was cut. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }

    private final StreamConfig config;
    private final KafkaSettings kafka;
    private final StreamMetrics metrics;
    private final Semaphore kafkaSlots;
    /**
     * Frames replayed lately, by the position they carry and the change they hold. Streams that
     * resume from the same cursor (every tab that was live when a gateway went away) step through
     * the same positions, so after a restart thousands of replays share each frame (and its
     * signed cursor) instead of building one per stream. Keyed by the naming of the frame too
     * ({@code ?frames=}). Direct-mapped and lossy: a miss only costs the encoding it saves.
     */
    private final AtomicReferenceArray<Framed> frames = new AtomicReferenceArray<>(FRAME_CACHE);
    private static final int FRAME_CACHE = 4096;

    /** One cached frame; immutable (the position is a private copy). */
    private record Framed(long[] position, Change change, Frames frames, Buffer frame) {
    }

    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("eventline-stream-replay-", 0).factory());

    Replayer(StreamConfig config, KafkaSettings kafka, StreamMetrics metrics) {
        this.config = config;
        this.kafka = kafka;
        this.metrics = metrics;
        this.kafkaSlots = new Semaphore(config.kafkaReplayConcurrency());
    }

    /**
     * Replays {@code [from, to)} to the stream's outbox, on a thread of its own. The result is where
     * the stream goes live (every partition at least at {@code to}), or null when the stream was
     * cut or closed instead. It touches no state of the stream's but its outbox.
     */
    CompletableFuture<long[]> catchUp(Stream stream, long[] from, long[] to, CursorCodec codec, History history) {
        CompletableFuture<long[]> done = new CompletableFuture<>();
        try {
            workers.execute(() -> {
                try {
                    done.complete(run(stream, from, to, codec, history));
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            });
        } catch (RuntimeException rejected) { // shutting down
            done.completeExceptionally(rejected);
        }
        return done;
    }

    void shutdown() {
        workers.shutdownNow();
    }

    private long[] run(Stream stream, long[] from, long[] to, CursorCodec codec, History history) {
        Outbox outbox = stream.outbox;
        KafkaAccess kafka = new KafkaAccess();
        long[] replayedCounts = new long[2]; // memory, kafka: added to the metrics once, at the end
        try {
            String reason = check(from, to, history, kafka, codec.topology());
            if (reason != null) {
                return reset(stream, to, codec, reason, true);
            }
            outbox.add(Sse.ready(stream.retryMillis, codec.encode(from), true), null);
            long[] position = from.clone();
            try {
                for (int slot = 0; slot < to.length; slot++) {
                    long at = position[slot];
                    while (at < to[slot]) {
                        if (history.covers(slot, at)) {
                            at = history.replay(slot, at, to[slot], c -> emit(stream, c, position, codec, replayedCounts, 0));
                        }
                        if (at < to[slot] && !history.covers(slot, at)) {
                            long until = Math.min(to[slot], history.completeFrom(slot));
                            at = kafka.replay(stream, slot, at, until, position, codec, replayedCounts);
                        }
                    }
                }
            } catch (OffsetOutOfRangeException e) {
                return reset(stream, to, codec, "beyond-retention", false);
            }
            for (int slot = 0; slot < to.length; slot++) {
                position[slot] = Math.max(position[slot], to[slot]);
            }
            countReplayed(replayedCounts); // before the stream goes live, so a scrape after its next record sees them
            return position;
        } catch (Stop stopped) {
            return null; // the stream is gone; its client resumes from what it received
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outbox.close();
            return null;
        } catch (RuntimeException e) {
            Log.warnf(e, "live stream: replay for %s failed; the stream is cut so its client retries", stream.sub());
            outbox.cut("its replay failed");
            return null;
        } finally {
            countReplayed(replayedCounts);
            kafka.close();
        }
    }

    private void countReplayed(long[] counts) {
        metrics.replayed("memory", counts[0]);
        metrics.replayed("kafka", counts[1]);
        counts[0] = 0;
        counts[1] = 0;
    }

    /** Null when the gap can be replayed, else the reason it cannot. */
    private String check(long[] from, long[] to, History history, KafkaAccess kafka, Topology topology)
            throws InterruptedException {
        long gap = 0;
        List<Integer> fromKafka = new ArrayList<>();
        List<Integer> ahead = new ArrayList<>();
        for (int slot = 0; slot < to.length; slot++) {
            if (from[slot] < to[slot]) {
                gap += to[slot] - from[slot];
                if (!history.covers(slot, from[slot])) {
                    fromKafka.add(slot);
                }
            } else if (from[slot] > to[slot]) {
                ahead.add(slot);
            }
        }
        if (gap > config.maxReplay()) {
            return "beyond-replay-bound";
        }
        if (fromKafka.isEmpty() && ahead.isEmpty()) {
            return null;
        }
        KafkaConsumer<String, byte[]> consumer = kafka.consumer();
        Map<TopicPartition, Long> begin = consumer.beginningOffsets(fromKafka.stream().map(topology::partition).toList());
        for (int slot : fromKafka) {
            if (from[slot] < begin.get(topology.partition(slot))) {
                return "beyond-retention";
            }
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(ahead.stream().map(topology::partition).toList());
        for (int slot : ahead) {
            if (from[slot] > end.get(topology.partition(slot))) {
                return "unknown-position"; // the topic was recreated, or the cursor is from another cluster
            }
        }
        return null;
    }

    /** Tells the client its cursor cannot be replayed exactly; it goes live at {@code to}. */
    private long[] reset(Stream stream, long[] to, CursorCodec codec, String reason, boolean announce) {
        String cursor = codec.encode(to);
        if (announce) {
            stream.outbox.add(Sse.ready(stream.retryMillis, cursor, false), null);
        }
        stream.outbox.add(Sse.reset(cursor, reason), null);
        metrics.reset(reason);
        return to.clone();
    }

    private void emit(Stream stream, Change change, long[] position, CursorCodec codec, long[] counts, int source) {
        if (change.offset < position[change.slot]) {
            return;
        }
        position[change.slot] = change.offset + 1;
        if (!change.audience.admits(stream.sub(), stream.role())) {
            return;
        }
        try {
            if (!stream.outbox.addWhenRoom(frame(position, change, stream.frames, codec), null, STALL_MILLIS)) {
                throw new Stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Stop();
        }
        counts[source]++;
    }

    /**
     * The frame of {@code change} named as {@code naming} says, with the cursor {@code position},
     * shared with other replays when they had it.
     */
    private Buffer frame(long[] position, Change change, Frames naming, CursorCodec codec) {
        int slot = ((Arrays.hashCode(position) * 31 + System.identityHashCode(change)) * 31 + naming.ordinal())
                & (FRAME_CACHE - 1);
        Framed cached = frames.get(slot);
        if (cached != null && cached.change == change && cached.frames == naming
                && Arrays.equals(cached.position, position)) {
            return cached.frame;
        }
        Buffer frame = Sse.frame(codec.encode(position), change, naming);
        frames.set(slot, new Framed(position.clone(), change, naming, frame));
        return frame;
    }

    /** A Kafka consumer for one replay, made on first need, holding one of the limited slots. */
    private final class KafkaAccess {
        private KafkaConsumer<String, byte[]> consumer;

        KafkaConsumer<String, byte[]> consumer() throws InterruptedException {
            if (consumer == null) {
                if (!kafkaSlots.tryAcquire(STALL_MILLIS, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("no Kafka replay slot within " + STALL_MILLIS + " ms");
                }
                Properties props = kafka.consumer("gateway-stream-replay");
                props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
                props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
                props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
                try {
                    consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
                } catch (RuntimeException e) {
                    kafkaSlots.release();
                    throw e;
                }
            }
            return consumer;
        }

        /** Replays {@code [from, until)} of one partition from Kafka; returns {@code until}. */
        long replay(Stream stream, int slot, long from, long until, long[] position, CursorCodec codec, long[] counts)
                throws InterruptedException {
            TopicPartition tp = codec.topology().partition(slot);
            KafkaConsumer<String, byte[]> c = consumer();
            c.assign(List.of(tp));
            c.seek(tp, from);
            long progress = System.nanoTime();
            while (true) {
                var records = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<String, byte[]> r : records) {
                    if (r.offset() >= until) {
                        return until;
                    }
                    try {
                        emit(stream, new Change(slot, r.offset(), r.timestamp(), 0, ChangeRecord.fromConsumerRecord(r)),
                                position, codec, counts, 1);
                    } catch (InvalidChangeRecordException e) {
                        position[slot] = r.offset() + 1; // the dispatcher skipped it too
                    }
                }
                if (!records.isEmpty()) {
                    progress = System.nanoTime();
                }
                if (c.position(tp) >= until) {
                    return until;
                }
                if (stream.outbox.closed()) {
                    throw new Stop();
                }
                if (System.nanoTime() - progress > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
                    throw new IllegalStateException("Kafka gave nothing for " + STALL_MILLIS + " ms");
                }
            }
        }

        void close() {
            if (consumer != null) {
                try {
                    consumer.close(Duration.ofSeconds(2));
                } catch (RuntimeException ignored) {
                    // closing
                }
                consumer = null;
                kafkaSlots.release();
            }
        }
    }
}
