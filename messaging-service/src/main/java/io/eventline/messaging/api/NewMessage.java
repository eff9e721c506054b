package io.eventline.messaging.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** A message to post in a conversation. */
@Schema(example = "{\"body\": \"See you there!\"}")
public record NewMessage(@NotBlank @Size(max = 5000) String body) {
}
