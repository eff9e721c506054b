package io.eventline.events.api;

import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** The editable fields of an event; {@code submit} only on create. */
@Schema(name = "EventInput", example = """
        {"title": "Jazz Night", "description": "Live quartet", "venue": "Blue Room, Oslo",
         "startsAt": "2027-03-01T19:00:00Z", "endsAt": "2027-03-01T22:00:00Z", "capacity": 120,
         "category": "music", "submit": true}""")
public record EventInput(
        @NotBlank @Size(max = 200) String title,
        @Size(max = 10_000) String description,
        @NotBlank @Size(max = 200) String venue,
        @NotNull Instant startsAt,
        @NotNull Instant endsAt,
        @NotNull @Min(1) @Max(100_000) Integer capacity,
        @Size(max = 100) String category,
        Boolean submit) {
}
