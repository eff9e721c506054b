package io.eventline.events.service;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Instants at PostgreSQL's precision (microseconds), so what is stored is what was returned. */
final class Times {

    private Times() {
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    static Instant micros(Instant i) {
        return i.truncatedTo(ChronoUnit.MICROS);
    }
}
