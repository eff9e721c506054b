package io.eventline.http;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Instants at PostgreSQL's precision (microseconds), so what is stored is what was returned. */
public final class Times {

    private Times() {
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    public static Instant micros(Instant i) {
        return i.truncatedTo(ChronoUnit.MICROS);
    }

    /** A timestamptz from a native query (the driver may give an OffsetDateTime) as an Instant. */
    public static Instant of(Object timestamp) {
        return timestamp instanceof java.time.OffsetDateTime odt ? odt.toInstant() : (Instant) timestamp;
    }
}
