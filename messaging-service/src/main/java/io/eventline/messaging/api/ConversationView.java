package io.eventline.messaging.api;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A conversation summary, as the API returns it and the change records carry it. {@code unreadCount}
 * is the caller's own and is left out of change records, which several participants share.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConversationView(UUID id, String subject, UUID eventId, List<String> participants, String createdBy,
        Instant createdAt, long lastSeq, Instant activityAt, MessageView lastMessage, Long unreadCount) {
}
