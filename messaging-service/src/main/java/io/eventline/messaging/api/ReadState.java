package io.eventline.messaging.api;

import java.util.UUID;

/** A participant's read position, as {@code POST …/read} answers and {@code conversation.read} carries. */
public record ReadState(UUID conversationId, String userId, long readSeq, long unreadCount) {
}
