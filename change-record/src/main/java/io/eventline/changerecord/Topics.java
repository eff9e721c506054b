package io.eventline.changerecord;

import java.util.List;

/** The change topics of docs/api.md ("Change records"). Keys: event id, conversation id, recipient id. */
public final class Topics {

    public static final String EVENTS = "eventline.events";
    public static final String MESSAGES = "eventline.messages";
    public static final String NOTIFICATIONS = "eventline.notifications";

    public static final List<String> ALL = List.of(EVENTS, MESSAGES, NOTIFICATIONS);

    private Topics() {
    }
}
