package io.eventline.notifications.api;

import java.time.Instant;
import java.util.UUID;

import io.eventline.notifications.Notification;

/** A notification as the API returns it and {@code notification.created} carries it. */
public record NotificationView(UUID id, String type, String title, String body, Subject subject, boolean read,
        Instant createdAt, String sourceId) {

    public static NotificationView of(Notification n, boolean read) {
        return new NotificationView(n.id, n.type, n.title, n.body, new Subject(n.subjectKind, n.subjectId), read,
                n.createdAt, n.sourceId);
    }
}
