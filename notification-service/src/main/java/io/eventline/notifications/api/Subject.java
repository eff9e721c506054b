package io.eventline.notifications.api;

/** What a notification is about: an event, a booking or a conversation, by its id. */
public record Subject(String kind, String id) {
}
