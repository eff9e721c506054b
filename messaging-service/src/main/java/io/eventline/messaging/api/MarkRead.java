package io.eventline.messaging.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/** How far the caller has read a conversation. */
@Schema(example = "{\"upToSeq\": 42}")
public record MarkRead(@NotNull @Min(0) Long upToSeq) {
}
