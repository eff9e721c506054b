package io.eventline.systemtests.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import io.eventline.systemtests.Rest;
import io.eventline.systemtests.SseClient;
import io.eventline.systemtests.SseClient.Event;
import io.vertx.core.json.JsonObject;

/**
 * One browser tab's live stream, kept as {@code EventSource} keeps it: opened on a gateway, read
 * continuously (a virtual thread), and when the server ends it, reopened on {@code reconnectTo}
 * with the id of the last event it dispatched, after the server's {@code retry:} hint (or at once).
 * It keeps every change record it got, with when it got it, and counts what the reconnects met.
 */
final class StreamTab implements AutoCloseable {

    /** One change record as the tab received it; {@code atNanos} is {@link System#nanoTime()} on arrival. */
    record Got(String recordId, String type, String subject, long version, String audience, JsonObject data,
            long atNanos) {
    }

    /** How long a tab keeps trying to reconnect before it gives up (and says so in {@link #failure()}). */
    private static final Duration RECONNECT_PATIENCE = Duration.ofSeconds(60);

    final Rest who;
    final String openedOn;
    private final String reconnectTo;
    private final boolean honourRetry;
    private final List<Got> got = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> resumedAt = Collections.synchronizedList(new ArrayList<>());
    private final List<String> resets = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger serverErrors = new AtomicInteger();
    private volatile SseClient client;
    private volatile String lastId;
    private volatile boolean closed;
    private volatile String failure;
    private Thread reader;

    private StreamTab(Rest who, String openedOn, String reconnectTo, boolean honourRetry) {
        this.who = who;
        this.openedOn = openedOn;
        this.reconnectTo = reconnectTo;
        this.honourRetry = honourRetry;
    }

    /**
     * Opens {@code who}'s stream on {@code gateway} (a base URL) and returns once its {@code ready}
     * has arrived: from then on the tab has every record of its audience. Fails on anything else.
     */
    static StreamTab open(Rest who, String gateway, String reconnectTo, boolean honourRetry) {
        StreamTab tab = new StreamTab(who, gateway, reconnectTo, honourRetry);
        SseClient c = SseClient.open(gateway + "/api/stream", who.token, null);
        if (c.status() != 200) {
            throw new AssertionError("stream of " + who.sub + " on " + gateway + ": " + c.status() + " " + c.errorBody());
        }
        Event ready = c.next(Duration.ofSeconds(10));
        if (ready == null || !ready.event().equals("ready")) {
            c.close();
            throw new AssertionError("stream of " + who.sub + " on " + gateway + " began with " + ready);
        }
        tab.client = c;
        tab.lastId = ready.id();
        tab.reader = Thread.ofVirtual().name("tab-" + who.sub).start(tab::read);
        return tab;
    }

    private void read() {
        while (!closed) {
            Event e;
            try {
                e = client.next(Duration.ofMillis(500));
            } catch (AssertionError quiet) {
                continue; // nothing within 500 ms (or interrupted by close)
            }
            if (e == null) {
                if (closed || !reconnect()) {
                    return;
                }
                continue;
            }
            if (e.id() != null) {
                lastId = e.id(); // the id at dispatch: an event cut off mid-frame never counts
            }
            switch (e.event()) {
                case "heartbeat", "expired" -> {
                    // the id is all a heartbeat carries
                }
                case "ready" -> {
                    if (e.json().getBoolean("resumed", false)) {
                        resumedAt.add(System.nanoTime());
                    }
                }
                case "reset" -> resets.add(e.json().getString("reason"));
                default -> {
                    JsonObject json = e.json();
                    Object data = json.getValue("data");
                    got.add(new Got(json.getString("id"), e.event(), json.getString("subject"),
                            json.getLong("aggregateversion", -1L), json.getString("audience"),
                            data instanceof JsonObject o ? o : new JsonObject(), System.nanoTime()));
                }
            }
        }
    }

    /**
     * Reopens on {@code reconnectTo} with the last id, as EventSource does: the first attempt after
     * the server's {@code retry:} hint (when honoured), then one every half second or every hint,
     * until a stream opens; false when it gave up.
     */
    private boolean reconnect() {
        SseClient old = client;
        long hint = honourRetry && old.retry() != null ? old.retry() : 0;
        try {
            Awaitility.await().pollDelay(Duration.ofMillis(hint)).pollInterval(Duration.ofMillis(Math.max(hint, 500)))
                    .atMost(RECONNECT_PATIENCE).until(() -> closed || tryOpen());
        } catch (ConditionTimeoutException e) {
            failure = "could not reconnect to " + reconnectTo + " within " + RECONNECT_PATIENCE + " (" + refused.get()
                    + " refused, " + serverErrors.get() + " 5xx)";
            return false;
        }
        return client != old;
    }

    /** One attempt: true once a stream is open (and now this tab's). */
    private boolean tryOpen() {
        SseClient next;
        try {
            next = SseClient.open(reconnectTo + "/api/stream", who.token, lastId);
        } catch (IllegalStateException unreachable) {
            refused.incrementAndGet();
            return false;
        }
        if (next.status() == 200) {
            client = next;
            reconnects.incrementAndGet();
            if (closed) {
                next.close();
            }
            return true;
        }
        (next.status() >= 500 ? serverErrors : refused).incrementAndGet();
        next.close();
        return false;
    }

    /** The change records received so far, in arrival order. */
    List<Got> got() {
        synchronized (got) {
            return new ArrayList<>(got);
        }
    }

    /** The id of the last event dispatched (what a reconnect sends as Last-Event-ID). */
    String lastId() {
        return lastId;
    }

    /** When each {@code ready} with {@code resumed: true} arrived ({@link System#nanoTime()}). */
    List<Long> resumedAt() {
        synchronized (resumedAt) {
            return new ArrayList<>(resumedAt);
        }
    }

    /** The reasons of the {@code reset} events received. */
    List<String> resets() {
        synchronized (resets) {
            return new ArrayList<>(resets);
        }
    }

    /** Reconnects that got a 200. */
    int reconnects() {
        return reconnects.get();
    }

    /** 5xx answers to reconnect attempts. */
    int serverErrors() {
        return serverErrors.get();
    }

    /** Non-200, non-5xx answers to reconnect attempts, and connections refused. */
    int refused() {
        return refused.get();
    }

    /** Null, or why the tab gave up reconnecting. */
    String failure() {
        return failure;
    }

    @Override
    public void close() {
        closed = true;
        client.close();
        Thread r = reader;
        if (r != null) {
            r.interrupt();
            try {
                r.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
