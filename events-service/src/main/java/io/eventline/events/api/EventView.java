package io.eventline.events.api;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.eventline.events.Event;
import io.eventline.events.EventStatus;

/**
 * An event as the API returns it and as its change records carry it. The title, description,
 * venue, times and category are always the approved content once the event was approved;
 * {@code revision}, changed content that waits for review (or was rejected), is only ever shown to
 * the partner and admins, and is absent from anything the public may read.
 */
public record EventView(UUID id, String partnerId, String title, String description, String venue, Instant startsAt,
        Instant endsAt, int capacity, int seatsBooked, String category, EventStatus status, String rejectionReason,
        long version, Instant createdAt, Instant updatedAt,
        @JsonInclude(JsonInclude.Include.NON_NULL) RevisionView revision) {

    /** What anyone allowed to see the event may read: never unreviewed content. */
    public static EventView of(Event e) {
        return of(e, false);
    }

    /** With the revision, for its partner and admins only. */
    public static EventView withRevision(Event e) {
        return of(e, true);
    }

    private static EventView of(Event e, boolean withRevision) {
        return new EventView(e.id, e.partnerId, e.title, e.description, e.venue, e.startsAt, e.endsAt, e.capacity,
                e.seatsBooked, e.category, e.status, e.rejectionReason, e.version, e.createdAt, e.updatedAt,
                withRevision ? RevisionView.of(e.revision) : null);
    }
}
