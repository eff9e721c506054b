package io.eventline.messaging.api;

/** {@code GET /api/messages/unread-count}. */
public record UnreadCount(long count) {
}
