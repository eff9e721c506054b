package io.eventline.events.api;

import java.time.Instant;

import io.eventline.events.EventStatus;

/** The booked event in a {@link BookingView}, as of that booking's change. */
public record EventSummary(String title, String venue, Instant startsAt, Instant endsAt, EventStatus status,
        int capacity, int seatsBooked) {
}
