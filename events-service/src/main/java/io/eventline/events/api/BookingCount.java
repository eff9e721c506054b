package io.eventline.events.api;

/** {@code GET /api/bookings/count}: the caller's confirmed bookings. */
public record BookingCount(long count) {
}
