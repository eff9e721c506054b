package io.eventline.events.api;

import java.time.Instant;

import io.eventline.events.Revision;

/** The proposed content of an event's revision, and where its review stands. */
public record RevisionView(Revision.Status status, String title, String description, String venue, Instant startsAt,
        Instant endsAt, String category, Instant submittedAt, String rejectionReason) {

    static RevisionView of(Revision r) {
        return r == null || r.status == null ? null
                : new RevisionView(r.status, r.title, r.description, r.venue, r.startsAt, r.endsAt, r.category,
                        r.submittedAt, r.rejectionReason);
    }
}
