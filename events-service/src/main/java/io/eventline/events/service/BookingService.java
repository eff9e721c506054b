package io.eventline.events.service;

import io.eventline.http.Times;
import io.eventline.http.Idempotency;
import io.eventline.http.Cursor;
import io.eventline.http.Page;
import io.eventline.http.Caller;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.eventline.changerecord.Topics;
import io.eventline.changefeed.outbox.Outbox;
import io.eventline.events.Booking;
import io.eventline.events.api.BookingView;
import io.eventline.events.BookingStatus;
import io.eventline.events.Event;
import io.eventline.events.EventStatus.Action;
import io.eventline.http.Problem;
import io.eventline.http.Created;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/**
 * Bookings. Seats are never oversold: a booking takes the event's row lock before it counts
 * seats, so bookings of one event are serialised, and the table refuses a count above capacity.
 */
@ApplicationScoped
public class BookingService {

    private final Outbox outbox;
    private final Idempotency idempotency;

    public BookingService(Outbox outbox, Idempotency idempotency) {
        this.outbox = outbox;
        this.idempotency = idempotency;
    }

    @Transactional
    public Created<BookingView> book(Caller caller, UUID eventId, int seats, String idempotencyKey) {
        UUID id = UUID.randomUUID();
        Optional<UUID> earlier = idempotency.claim(caller.sub(), "booking", idempotencyKey, eventId + "/" + seats, id);
        if (earlier.isPresent()) {
            return new Created<>(BookingView.of(Booking.findById(earlier.get())), true);
        }
        Event e = EventService.lock(caller, eventId);
        e.status.apply(Action.BOOK);
        Instant now = Times.now();
        if (!e.endsAt.isAfter(now)) {
            throw Problem.conflict("the event has ended");
        }
        if (e.seatsLeft() < seats) {
            throw Problem.conflict(e.seatsLeft() == 0 ? "the event is sold out"
                    : "only " + e.seatsLeft() + " seats are left").with("seatsLeft", e.seatsLeft());
        }
        Booking b = new Booking();
        b.id = id;
        b.event = e;
        b.userId = caller.sub();
        b.seats = seats;
        b.status = BookingStatus.CONFIRMED;
        b.version = 1;
        b.createdAt = now;
        e.seatsBooked += seats;
        e.touch(now);
        b.persist();
        record(b, "booking.confirmed");
        return new Created<>(BookingView.of(b), false);
    }

    @Transactional
    public BookingView cancel(Caller caller, UUID bookingId) {
        Booking b = Booking.findById(bookingId);
        if (b == null || !b.userId.equals(caller.sub())) {
            throw Problem.notFound("booking " + bookingId);
        }
        Event e = EventService.lock(caller, b.event.id);
        e.seatsBooked -= b.release();
        e.touch(Times.now());
        record(b, "booking.cancelled");
        return BookingView.of(b);
    }

    @Transactional
    public BookingView get(Caller caller, UUID bookingId) {
        Booking b = Booking.findById(bookingId);
        if (b == null || !(b.userId.equals(caller.sub()) || b.event.isOwnedBy(caller.sub()) || caller.isAdmin())) {
            throw Problem.notFound("booking " + bookingId);
        }
        return BookingView.of(b);
    }

    @Transactional
    public Page<BookingView> mine(Caller caller, Page.Request<Cursor> page) {
        Cursor c = page.after();
        List<Booking> rows = c == null
                ? Booking.find("from Booking b join fetch b.event where b.userId = ?1 order by b.createdAt desc, b.id desc",
                        caller.sub()).page(0, page.fetch()).list()
                : Booking.find("from Booking b join fetch b.event where b.userId = ?1 and (b.createdAt < ?2 or "
                        + "(b.createdAt = ?2 and b.id < ?3)) order by b.createdAt desc, b.id desc", caller.sub(), c.at(),
                        c.id()).page(0, page.fetch()).list();
        return page.page(rows, b -> new Cursor(b.createdAt, b.id), BookingView::of);
    }

    /** The caller's confirmed bookings. */
    @Transactional
    public long confirmedCount(Caller caller) {
        return Booking.count("userId = ?1 and status = ?2", caller.sub(), BookingStatus.CONFIRMED);
    }

    private void record(Booking b, String type) {
        outbox.record(Topics.EVENTS, b.event.id.toString(), type, b.id.toString(), b.audience(), b.version,
                BookingView.of(b));
    }
}
