package io.eventline.messaging.api;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;

/** A new conversation: 1 to 50 others (the caller is added). */
@Schema(example = "{\"participantIds\": [\"ada\"], \"subject\": \"About Jazz Night\"}")
public record NewConversation(@NotEmpty @Size(max = 51) List<@NotBlank @Size(max = 200) String> participantIds,
        @Size(max = 200) String subject, UUID eventId) {
}
