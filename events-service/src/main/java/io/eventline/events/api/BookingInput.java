package io.eventline.events.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** The body of a booking. */
public record BookingInput(@NotNull @Min(1) @Max(10) Integer seats) {
}
