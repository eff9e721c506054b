package io.eventline.gateway.stream;

import java.util.List;

/**
 * How a stream names its record frames ({@code ?frames=}). A browser's {@code EventSource}
 * dispatches only the event names it has a listener for, so a client built before a record type
 * existed never sees records named after it; {@code record} names them all alike (the CloudEvent
 * in {@code data:} still carries its type). {@code ready}, {@code heartbeat}, {@code reset} and
 * {@code expired} keep their names either way.
 */
enum Frames {
    /** {@code event: <record type>}: the default. */
    TYPED,
    /** {@code event: record} for every record. */
    RECORD;

    /** The query's {@code frames} values: none, or one value (possibly repeated); null when that is not a valid choice. */
    static Frames of(List<String> values) {
        Frames chosen = TYPED;
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            if (i > 0 && !v.equals(values.get(0))) {
                return null;
            }
            switch (v) {
                case "typed" -> chosen = TYPED;
                case "record" -> chosen = RECORD;
                default -> {
                    return null;
                }
            }
        }
        return chosen;
    }
}
