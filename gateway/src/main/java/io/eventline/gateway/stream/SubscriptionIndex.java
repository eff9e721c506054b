package io.eventline.gateway.stream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.eventline.changerecord.Audience;

/**
 * The open streams by subject, by role, and all of them, as change-record's {@link Audience}
 * routes to them: the audience rule is applied there, not here. Owned by the dispatcher thread.
 */
final class SubscriptionIndex implements Audience.Index<SubscriptionIndex.Subscription> {

    /** A stream in the index, with the number of the last delivery it was handed (a stream named twice gets it once). */
    static final class Subscription {
        final Stream stream;
        private long round = -1;

        private Subscription(Stream stream) {
            this.stream = stream;
        }
    }

    private final Map<Stream, Subscription> all = new LinkedHashMap<>();
    private final Map<String, List<Subscription>> bySubject = new HashMap<>();
    private final Map<String, Set<Subscription>> byRole = new HashMap<>();
    private long round;

    /** False when it was there already. */
    boolean add(Stream stream) {
        if (all.containsKey(stream)) {
            return false;
        }
        Subscription s = new Subscription(stream);
        all.put(stream, s);
        bySubject.computeIfAbsent(stream.sub(), k -> new ArrayList<>(2)).add(s);
        byRole.computeIfAbsent(stream.role(), k -> new LinkedHashSet<>()).add(s);
        return true;
    }

    /** False when it was not there. */
    boolean remove(Stream stream) {
        Subscription s = all.remove(stream);
        if (s == null) {
            return false;
        }
        List<Subscription> mine = bySubject.get(stream.sub());
        if (mine != null && mine.remove(s) && mine.isEmpty()) {
            bySubject.remove(stream.sub());
        }
        Set<Subscription> role = byRole.get(stream.role());
        if (role != null && role.remove(s) && role.isEmpty()) {
            byRole.remove(stream.role());
        }
        return true;
    }

    int size() {
        return all.size();
    }

    /** Hands {@code sink} every stream {@code audience} admits, each once. */
    void forEachAdmitted(Audience audience, Consumer<Stream> sink) {
        long r = ++round;
        audience.forEachAdmitted(this, s -> {
            if (s.round != r) {
                s.round = r;
                sink.accept(s.stream);
            }
        });
    }

    /** Every stream, for heartbeats and shutdown. */
    void forEach(Consumer<Stream> sink) {
        all.keySet().forEach(sink);
    }

    // ---- Audience.Index ----------------------------------------------------------------------

    @Override
    public void everyone(Consumer<? super Subscription> sink) {
        all.values().forEach(sink);
    }

    @Override
    public void withSubject(String sub, Consumer<? super Subscription> sink) {
        List<Subscription> streams = bySubject.get(sub);
        if (streams != null) {
            streams.forEach(sink);
        }
    }

    @Override
    public void withRole(String role, Consumer<? super Subscription> sink) {
        Set<Subscription> streams = byRole.get(role);
        if (streams != null) {
            streams.forEach(sink);
        }
    }
}
