package io.eventline.notifications.api;

/** {@code GET /api/notifications/unread-count}. */
public record UnreadCount(long count) {
}
