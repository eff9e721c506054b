package io.eventline.events;

import java.time.Instant;
import java.util.Objects;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;

/**
 * Changed content of an approved event, waiting for review (or rejected, with the reason). The
 * event's own columns keep the approved content, which stays public and bookable meanwhile.
 * Content is what an admin vouches for: title, description, venue, times and category. Capacity
 * is operational and never part of a revision.
 */
@Embeddable
public class Revision {

    /** Where a revision stands; an approved revision is folded into the event and gone. */
    public enum Status {
        PENDING, REJECTED
    }

    @Enumerated(EnumType.STRING)
    @Column(name = "rev_status")
    public Status status;
    @Column(name = "rev_title")
    public String title;
    @Column(name = "rev_description")
    public String description;
    @Column(name = "rev_venue")
    public String venue;
    @Column(name = "rev_starts_at")
    public Instant startsAt;
    @Column(name = "rev_ends_at")
    public Instant endsAt;
    @Column(name = "rev_category")
    public String category;
    @Column(name = "rev_submitted_at")
    public Instant submittedAt;
    @Column(name = "rev_rejection_reason")
    public String rejectionReason;

    /** Whether this content differs from the event's approved content. */
    public boolean differsFrom(Event e) {
        return !sameAs(e.title, e.description, e.venue, e.startsAt, e.endsAt, e.category);
    }

    public boolean sameContentAs(Revision other) {
        return other != null
                && sameAs(other.title, other.description, other.venue, other.startsAt, other.endsAt, other.category);
    }

    private boolean sameAs(String title, String description, String venue, Instant startsAt, Instant endsAt,
            String category) {
        return this.title.equals(title) && this.description.equals(description) && this.venue.equals(venue)
                && this.startsAt.equals(startsAt) && this.endsAt.equals(endsAt) && Objects.equals(this.category, category);
    }

    public boolean isPending() {
        return status == Status.PENDING;
    }
}
