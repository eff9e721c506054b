package io.eventline.events.service;

import java.time.Instant;
import java.util.UUID;

import io.eventline.events.Event;
import io.eventline.events.EventStatus;

/** An event as the API returns it and as its change records carry it. */
public record EventView(UUID id, String partnerId, String title, String description, String venue, Instant startsAt,
        Instant endsAt, int capacity, int seatsBooked, String category, EventStatus status, String rejectionReason,
        long version, Instant createdAt, Instant updatedAt) {

    public static EventView of(Event e) {
        return new EventView(e.id, e.partnerId, e.title, e.description, e.venue, e.startsAt, e.endsAt, e.capacity,
                e.seatsBooked, e.category, e.status, e.rejectionReason, e.version, e.createdAt, e.updatedAt);
    }
}
