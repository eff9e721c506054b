package io.eventline.notifications.api;

/** {@code POST /api/notifications/read-all}: how many notifications it marked read. */
public record MarkedRead(long marked) {
}
