package io.eventline.events.service;

import io.eventline.http.Created;
import io.eventline.http.Times;
import io.eventline.http.Idempotency;
import io.eventline.http.Cursor;
import io.eventline.http.Page;
import io.eventline.http.Caller;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import io.eventline.changefeed.Topics;
import io.eventline.changefeed.outbox.Outbox;
import io.eventline.events.Booking;
import io.eventline.events.BookingStatus;
import io.eventline.events.Event;
import io.eventline.events.EventStatus;
import io.eventline.events.EventStatus.Action;
import io.eventline.http.Problem;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

/** The approval workflow of events. Each change commits with its change record on eventline.events. */
@ApplicationScoped
public class EventService {

    private final Outbox outbox;
    private final Idempotency idempotency;

    public EventService(Outbox outbox, Idempotency idempotency) {
        this.outbox = outbox;
        this.idempotency = idempotency;
    }

    @Transactional
    public Created<EventView> create(Caller caller, EventInput in, String idempotencyKey) {
        Instant now = Times.now();
        requireValidTimes(in.startsAt(), in.endsAt(), now);
        UUID id = UUID.randomUUID();
        Optional<UUID> earlier = idempotency.claim(caller.sub(), "event", idempotencyKey, in.toString(), id);
        if (earlier.isPresent()) {
            return new Created<>(EventView.of(Event.findById(earlier.get())), true);
        }
        Event e = new Event();
        e.id = id;
        e.partnerId = caller.sub();
        edit(e, in);
        e.status = EventStatus.DRAFT;
        e.version = 0;
        e.createdAt = now;
        e.touch(now);
        if (Boolean.TRUE.equals(in.submit())) {
            e.apply(Action.SUBMIT, now);
            e.version = 1; // one change: created and submitted
        }
        e.persist();
        record(e, e.status == EventStatus.PENDING_APPROVAL ? "event.submitted" : "event.created");
        return new Created<>(EventView.of(e), false);
    }

    @Transactional
    public EventView update(Caller caller, UUID id, long ifMatch, EventInput in) {
        Event e = lock(caller, id);
        requireOwner(caller, e);
        if (e.version != ifMatch) {
            throw Problem.preconditionFailed(e.version);
        }
        e.status.apply(Action.EDIT);
        Instant now = Times.now();
        requireStorable(in.startsAt(), in.endsAt());
        Instant startsAt = Times.micros(in.startsAt());
        if (!startsAt.equals(e.startsAt)) {
            requireValidTimes(in.startsAt(), in.endsAt(), now);
        } else if (!in.endsAt().isAfter(in.startsAt())) {
            throw Problem.badRequest("endsAt", "must be after startsAt");
        }
        if (in.capacity() < e.seatsBooked) {
            throw Problem.conflict("capacity " + in.capacity() + " is below the " + e.seatsBooked + " seats already booked")
                    .with("seatsBooked", e.seatsBooked);
        }
        edit(e, in);
        e.touch(now);
        record(e, "event.updated");
        return EventView.of(e);
    }

    @Transactional
    public EventView submit(Caller caller, UUID id) {
        Event e = lock(caller, id);
        requireOwner(caller, e);
        return transition(e, Action.SUBMIT, "event.submitted");
    }

    @Transactional
    public EventView approve(Caller caller, UUID id) {
        return transition(lock(caller, id), Action.APPROVE, "event.approved");
    }

    @Transactional
    public EventView reject(Caller caller, UUID id, String reason) {
        Event e = lock(caller, id);
        e.apply(Action.REJECT, Times.now());
        e.rejectionReason = reason;
        record(e, "event.rejected");
        return EventView.of(e);
    }

    /** Cancels the event and, in the same transaction, each confirmed booking (one record each, after the event's). */
    @Transactional
    public EventView cancel(Caller caller, UUID id) {
        Event e = lock(caller, id);
        if (!caller.isAdmin()) {
            requireOwner(caller, e);
        }
        e.apply(Action.CANCEL, Times.now());
        List<Booking> confirmed = Booking.list("event = ?1 and status = ?2 order by createdAt, id", e,
                BookingStatus.CONFIRMED);
        confirmed.forEach(b -> e.seatsBooked -= b.release());
        // event.cancelled first: a consumer still knows the bookers when it reads it.
        record(e, "event.cancelled");
        confirmed.forEach(b -> outbox.record(Topics.EVENTS, e.id.toString(), "booking.cancelled", b.id.toString(),
                b.audience(), b.version, BookingView.of(b)));
        return EventView.of(e);
    }

    @Transactional
    public EventView get(Caller caller, UUID id) {
        Event e = Event.findById(id);
        if (e == null || !visible(caller, e)) {
            throw Problem.notFound("event " + id);
        }
        return EventView.of(e);
    }

    @Transactional
    public Page<EventView> catalog(int limit, String cursor) {
        Cursor c = cursor == null ? null : Cursor.decode(cursor);
        List<Event> rows = c == null
                ? Event.find("status = ?1 and endsAt > ?2 order by startsAt, id", EventStatus.APPROVED, Times.now())
                        .range(0, limit).list()
                : Event.find("status = ?1 and endsAt > ?2 and (startsAt > ?3 or (startsAt = ?3 and id > ?4)) "
                        + "order by startsAt, id", EventStatus.APPROVED, Times.now(), c.at(), c.id())
                        .range(0, limit).list();
        return page(rows, limit, e -> new Cursor(e.startsAt, e.id));
    }

    @Transactional
    public Page<EventView> mine(Caller caller, EventStatus status, int limit, String cursor) {
        Cursor c = cursor == null ? null : Cursor.decode(cursor);
        StringBuilder q = new StringBuilder("partnerId = :sub");
        io.quarkus.panache.common.Parameters p = io.quarkus.panache.common.Parameters.with("sub", caller.sub());
        if (status != null) {
            q.append(" and status = :status");
            p.and("status", status);
        }
        if (c != null) {
            q.append(" and (createdAt < :at or (createdAt = :at and id < :id))");
            p.and("at", c.at()).and("id", c.id());
        }
        List<Event> rows = Event.<Event>find(q + " order by createdAt desc, id desc", p).range(0, limit).list();
        return page(rows, limit, e -> new Cursor(e.createdAt, e.id));
    }

    @Transactional
    public Page<EventView> reviewQueue(int limit, String cursor) {
        Cursor c = cursor == null ? null : Cursor.decode(cursor);
        List<Event> rows = c == null
                ? Event.find("status = ?1 order by submittedAt, id", EventStatus.PENDING_APPROVAL).range(0, limit).list()
                : Event.find("status = ?1 and (submittedAt > ?2 or (submittedAt = ?2 and id > ?3)) order by submittedAt, id",
                        EventStatus.PENDING_APPROVAL, c.at(), c.id()).range(0, limit).list();
        return page(rows, limit, e -> new Cursor(e.submittedAt, e.id));
    }

    /** Events by status: a partner's own; for an admin, all; for a user, none. */
    @Transactional
    public java.util.Map<String, Long> countsByStatus(Caller caller) {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        if (!caller.isAdmin() && !"partner".equals(caller.role())) {
            return counts;
        }
        String where = caller.isAdmin() ? "" : " where e.partnerId = :sub";
        var q = Event.getEntityManager().createQuery(
                "select e.status, count(e) from Event e" + where + " group by e.status", Object[].class);
        if (!caller.isAdmin()) {
            q.setParameter("sub", caller.sub());
        }
        for (Object[] row : q.getResultList()) {
            counts.put(row[0].toString(), (Long) row[1]);
        }
        return counts;
    }

    /** Whether the caller may know the event exists: its partner, an admin, or anyone once it was approved. */
    static boolean visible(Caller caller, Event e) {
        return e.isOwnedBy(caller.sub()) || caller.isAdmin() || e.isPublic();
    }

    /** The event, row-locked for the rest of the transaction; 404 if the caller may not see it. */
    static Event lock(Caller caller, UUID id) {
        Event e = Event.findById(id, LockModeType.PESSIMISTIC_WRITE);
        if (e == null || !visible(caller, e)) {
            throw Problem.notFound("event " + id);
        }
        return e;
    }

    private EventView transition(Event e, Action action, String type) {
        e.apply(action, Times.now());
        record(e, type);
        return EventView.of(e);
    }

    private void record(Event e, String type) {
        outbox.record(Topics.EVENTS, e.id.toString(), type, e.id.toString(), e.audience(), e.version, EventView.of(e));
    }

    private static void requireOwner(Caller caller, Event e) {
        if (!e.isOwnedBy(caller.sub())) {
            throw Problem.forbidden("only the event's partner may change it");
        }
    }

    /** The last instant an event may start or end at: ISO-8601's four-digit years, well inside what PostgreSQL stores. */
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** Times beyond {@link #LATEST} would overflow on the way to the database: refused as input. */
    private static void requireStorable(Instant startsAt, Instant endsAt) {
        if (startsAt.isAfter(LATEST)) {
            throw Problem.badRequest("startsAt", "must be before the year 10000");
        }
        if (endsAt.isAfter(LATEST)) {
            throw Problem.badRequest("endsAt", "must be before the year 10000");
        }
    }

    private static void requireValidTimes(Instant startsAt, Instant endsAt, Instant now) {
        requireStorable(startsAt, endsAt);
        if (!startsAt.isAfter(now)) {
            throw Problem.badRequest("startsAt", "must be in the future");
        }
        if (!endsAt.isAfter(startsAt)) {
            throw Problem.badRequest("endsAt", "must be after startsAt");
        }
    }

    private static void edit(Event e, EventInput in) {
        e.title = in.title().strip();
        e.description = Objects.requireNonNullElse(in.description(), "");
        e.venue = in.venue().strip();
        e.startsAt = Times.micros(in.startsAt());
        e.endsAt = Times.micros(in.endsAt());
        e.capacity = in.capacity();
        e.category = in.category() == null || in.category().isBlank() ? null : in.category().strip();
    }

    /** Queries fetch {@code limit + 1} rows (Panache ranges are inclusive): one more means a next page. */
    static <T, V> Page<V> pageOf(List<T> rows, int limit, java.util.function.Function<T, Cursor> cursor,
            java.util.function.Function<T, V> view) {
        List<T> page = rows.size() > limit ? rows.subList(0, limit) : rows;
        String next = rows.size() > limit ? cursor.apply(page.get(page.size() - 1)).encode() : null;
        return new Page<>(page.stream().map(view).toList(), next);
    }

    private static Page<EventView> page(List<Event> rows, int limit, java.util.function.Function<Event, Cursor> cursor) {
        return pageOf(rows, limit, cursor, EventView::of);
    }
}
