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

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.Topics;
import io.eventline.changefeed.outbox.Outbox;
import io.eventline.events.Booking;
import io.eventline.events.BookingStatus;
import io.eventline.events.Event;
import io.eventline.events.EventStatus;
import io.eventline.events.EventStatus.Action;
import io.eventline.events.Revision;
import io.eventline.events.api.BookingView;
import io.eventline.events.api.EventInput;
import io.eventline.events.api.EventView;
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
            return new Created<>(EventView.withRevision(Event.findById(earlier.get())), true);
        }
        Event e = new Event();
        e.id = id;
        e.partnerId = caller.sub();
        e.takeContent(content(in));
        e.capacity = in.capacity();
        e.status = EventStatus.DRAFT;
        e.version = 0;
        e.createdAt = now;
        // One change either way (version 1): created, or created and submitted (apply touches it).
        if (Boolean.TRUE.equals(in.submit())) {
            e.apply(Action.SUBMIT, now);
        } else {
            e.touch(now);
        }
        e.persist();
        record(e, e.status == EventStatus.PENDING_APPROVAL ? "event.submitted" : "event.created");
        return new Created<>(EventView.withRevision(e), false);
    }

    /**
     * Replaces the editable fields. Before approval the change applies at once (and an event in
     * review stays in review). Once approved, content changes wait as a revision for an admin,
     * while the approved content stays public and bookable; capacity is operational and applies
     * at once. Each change is its own record: the public one first, then the one for review.
     */
    @Transactional
    public EventView update(Caller caller, UUID id, long ifMatch, EventInput in) {
        Event e = lock(caller, id);
        requireOwner(caller, e);
        requireVersion(e, ifMatch);
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
        if (e.status != EventStatus.APPROVED) {
            e.takeContent(content(in)); // straight in: only before it was approved
            e.capacity = in.capacity();
            e.touch(now);
            record(e, "event.updated");
            return EventView.withRevision(e);
        }
        if (in.capacity() != e.capacity) {
            e.capacity = in.capacity();
            e.touch(now);
            record(e, "event.updated");
        }
        Revision proposed = content(in);
        if (proposed.differsFrom(e)) {
            if (!e.hasPendingRevision() || !proposed.sameContentAs(e.revision)) {
                proposed.status = Revision.Status.PENDING;
                proposed.submittedAt = now;
                e.revision = proposed;
                e.reviewSince = now;
                e.touch(now);
                recordForReview(e, "event.revision-submitted");
            }
        } else if (e.revision != null) { // back to the approved content: nothing left to review
            e.revision = null;
            e.reviewSince = null;
            e.touch(now);
            recordForReview(e, "event.revision-withdrawn");
        }
        return EventView.withRevision(e);
    }

    @Transactional
    public EventView submit(Caller caller, UUID id) {
        Event e = lock(caller, id);
        requireOwner(caller, e);
        return transition(e, Action.SUBMIT, "event.submitted");
    }

    /** {@code ifMatch}, when given, must name the version the admin reviewed: else 412. */
    @Transactional
    public EventView approve(Caller caller, UUID id, Long ifMatch) {
        Event e = lock(caller, id);
        requireVersion(e, ifMatch);
        return transition(e, Action.APPROVE, "event.approved");
    }

    @Transactional
    public EventView reject(Caller caller, UUID id, Long ifMatch, String reason) {
        Event e = lock(caller, id);
        requireVersion(e, ifMatch);
        e.apply(Action.REJECT, Times.now());
        e.rejectionReason = reason;
        record(e, "event.rejected");
        return EventView.withRevision(e);
    }

    /** Publishes the pending revision: its content becomes the event's, for everyone. */
    @Transactional
    public EventView approveRevision(Caller caller, UUID id, Long ifMatch) {
        Event e = pendingRevision(caller, id, ifMatch);
        Instant now = Times.now();
        Revision r = e.revision;
        if (!r.startsAt.equals(e.startsAt) && !r.startsAt.isAfter(now)) {
            throw Problem.conflict("the revision's start " + r.startsAt + " has passed; the partner must edit it");
        }
        e.takeContent(r);
        e.revision = null;
        e.reviewSince = null;
        e.touch(now);
        record(e, "event.revision-approved");
        return EventView.withRevision(e);
    }

    /** Rejects the pending revision: the approved content stays as it was; the partner sees why. */
    @Transactional
    public EventView rejectRevision(Caller caller, UUID id, Long ifMatch, String reason) {
        Event e = pendingRevision(caller, id, ifMatch);
        e.revision.status = Revision.Status.REJECTED;
        e.revision.rejectionReason = reason;
        e.reviewSince = null;
        e.touch(Times.now());
        recordForReview(e, "event.revision-rejected");
        return EventView.withRevision(e);
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
        return EventView.withRevision(e);
    }

    @Transactional
    public EventView get(Caller caller, UUID id) {
        Event e = Event.findById(id);
        if (e == null || !visible(caller, e)) {
            throw Problem.notFound("event " + id);
        }
        return view(caller, e);
    }

    @Transactional
    public Page<EventView> catalog(Page.Request<Cursor> page) {
        Cursor c = page.after();
        List<Event> rows = c == null
                ? Event.find("status = ?1 and endsAt > ?2 order by startsAt, id", EventStatus.APPROVED, Times.now())
                        .page(0, page.fetch()).list()
                : Event.find("status = ?1 and endsAt > ?2 and (startsAt > ?3 or (startsAt = ?3 and id > ?4)) "
                        + "order by startsAt, id", EventStatus.APPROVED, Times.now(), c.at(), c.id())
                        .page(0, page.fetch()).list();
        return page.page(rows, e -> new Cursor(e.startsAt, e.id), EventView::of);
    }

    @Transactional
    public Page<EventView> mine(Caller caller, EventStatus status, Page.Request<Cursor> page) {
        Cursor c = page.after();
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
        List<Event> rows = Event.<Event>find(q + " order by createdAt desc, id desc", p).page(0, page.fetch()).list();
        return page.page(rows, e -> new Cursor(e.createdAt, e.id), EventView::withRevision);
    }

    /** New events waiting for approval and pending revisions of approved ones, oldest first. */
    @Transactional
    public Page<EventView> reviewQueue(Page.Request<Cursor> page) {
        Cursor c = page.after();
        List<Event> rows = c == null
                ? Event.find("reviewSince is not null order by reviewSince, id").page(0, page.fetch()).list()
                : Event.find("reviewSince is not null and (reviewSince > ?1 or (reviewSince = ?1 and id > ?2)) "
                        + "order by reviewSince, id", c.at(), c.id()).page(0, page.fetch()).list();
        return page.page(rows, e -> new Cursor(e.reviewSince, e.id), EventView::withRevision);
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
        return EventView.withRevision(e);
    }

    /** The event's own audience; a record the public may read never carries the revision. */
    private void record(Event e, String type) {
        Audience audience = e.audience();
        outbox.record(Topics.EVENTS, e.id.toString(), type, e.id.toString(), audience, e.version,
                audience.entries().contains(Audience.PUBLIC_ENTRY) ? EventView.of(e) : EventView.withRevision(e));
    }

    /** A change to the revision: for the partner and admins only, whatever the event's audience. */
    private void recordForReview(Event e, String type) {
        outbox.record(Topics.EVENTS, e.id.toString(), type, e.id.toString(), e.reviewAudience(), e.version,
                EventView.withRevision(e));
    }

    /** The partner and admins read the revision; everyone else the approved content only. */
    private static EventView view(Caller caller, Event e) {
        return caller.isAdmin() || e.isOwnedBy(caller.sub()) ? EventView.withRevision(e) : EventView.of(e);
    }

    /** The event with a pending revision, row-locked: 404 if it has none, 412 if ifMatch is stale. */
    private static Event pendingRevision(Caller caller, UUID id, Long ifMatch) {
        Event e = lock(caller, id);
        if (!e.hasPendingRevision()) {
            throw Problem.notFound("pending revision of event " + id);
        }
        requireVersion(e, ifMatch);
        return e;
    }

    private static void requireVersion(Event e, Long ifMatch) {
        if (ifMatch != null && e.version != ifMatch) {
            throw Problem.preconditionFailed(e.version);
        }
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

    /** The content fields of {@code in}, normalised as they are stored. */
    private static Revision content(EventInput in) {
        Revision r = new Revision();
        r.title = in.title().strip();
        r.description = Objects.requireNonNullElse(in.description(), "");
        r.venue = in.venue().strip();
        r.startsAt = Times.micros(in.startsAt());
        r.endsAt = Times.micros(in.endsAt());
        r.category = in.category() == null || in.category().isBlank() ? null : in.category().strip();
        return r;
    }
}
