package io.eventline.events.api;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** The body of a rejection. */
public record RejectInput(@NotBlank @Size(max = 1000) String reason) {
}
