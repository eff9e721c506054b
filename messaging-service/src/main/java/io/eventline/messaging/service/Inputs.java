package io.eventline.messaging.service;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** Request bodies. */
public final class Inputs {

    private Inputs() {
    }

    /** A new conversation: 1 to 50 others (the caller is added). */
    @Schema(example = "{\"participantIds\": [\"ada\"], \"subject\": \"About Jazz Night\"}")
    public record NewConversation(@NotEmpty @Size(max = 51) List<@NotBlank @Size(max = 200) String> participantIds,
            @Size(max = 200) String subject, UUID eventId) {
    }

    @Schema(example = "{\"body\": \"See you there!\"}")
    public record NewMessage(@NotBlank @Size(max = 5000) String body) {
    }

    @Schema(example = "{\"upToSeq\": 42}")
    public record MarkRead(@NotNull @Min(0) Long upToSeq) {
    }
}
