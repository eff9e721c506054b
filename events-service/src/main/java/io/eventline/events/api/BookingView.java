package io.eventline.events.api;

import java.time.Instant;
import java.util.UUID;

import io.eventline.events.Booking;
import io.eventline.events.BookingStatus;
import io.eventline.events.Event;

/**
 * A booking as the API returns it and as its change records carry it, with the event fields a
 * booker's list shows and the seat count a partner's dashboard shows.
 */
public record BookingView(UUID id, UUID eventId, String userId, int seats, BookingStatus status, long version,
        Instant createdAt, EventSummary event) {

    public static BookingView of(Booking b) {
        Event e = b.event;
        return new BookingView(b.id, e.id, b.userId, b.seats, b.status, b.version, b.createdAt,
                new EventSummary(e.title, e.venue, e.startsAt, e.endsAt, e.status, e.capacity, e.seatsBooked));
    }
}
