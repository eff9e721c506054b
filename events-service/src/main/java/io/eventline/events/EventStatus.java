package io.eventline.events;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The approval workflow. Every transition rule lives here:
 * {@code DRAFT → PENDING_APPROVAL → APPROVED | REJECTED}, {@code REJECTED → PENDING_APPROVAL}
 * (after an edit), and any state but {@code CANCELLED} → {@code CANCELLED}.
 */
public enum EventStatus {
    DRAFT, PENDING_APPROVAL, APPROVED, REJECTED, CANCELLED;

    /** What a caller asks of an event; each maps to the states it may start from. */
    public enum Action {
        SUBMIT("submit", EnumSet.of(DRAFT, REJECTED), PENDING_APPROVAL),
        APPROVE("approve", EnumSet.of(PENDING_APPROVAL), APPROVED),
        REJECT("reject", EnumSet.of(PENDING_APPROVAL), REJECTED),
        CANCEL("cancel", EnumSet.of(DRAFT, PENDING_APPROVAL, APPROVED, REJECTED), CANCELLED),
        EDIT("edit", EnumSet.of(DRAFT, PENDING_APPROVAL, APPROVED, REJECTED), null),
        BOOK("book", EnumSet.of(APPROVED), null);

        final String verb;
        final Set<EventStatus> from;
        final EventStatus to;

        Action(String verb, Set<EventStatus> from, EventStatus to) {
            this.verb = verb;
            this.from = from;
            this.to = to;
        }
    }

    private static final Map<EventStatus, String> ARTICLE = Map.of(DRAFT, "a", PENDING_APPROVAL, "a",
            APPROVED, "an", REJECTED, "a", CANCELLED, "a");

    /** The state after {@code action}, or {@link InvalidTransitionException} naming this state. */
    public EventStatus apply(Action action) {
        if (!action.from.contains(this)) {
            throw new InvalidTransitionException("cannot " + action.verb + " " + ARTICLE.get(this) + " " + this
                    + " event", this);
        }
        return action.to == null ? this : action.to;
    }

    /** Whether a record about an event in this state may go beyond its partner (and admins). */
    public boolean isSubmitted() {
        return this != DRAFT;
    }

    /** An action that is not allowed from the event's current state: 409, naming the state. */
    public static class InvalidTransitionException extends RuntimeException {
        public final Enum<?> current;

        public InvalidTransitionException(String message, Enum<?> current) {
            super(message);
            this.current = current;
        }
    }
}
