package io.eventline.events;

import java.time.Instant;
import java.util.UUID;

import io.eventline.changerecord.Audience;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An event a partner organises; the aggregate of the approval workflow and of its seat count. */
@Entity
@Table(name = "event")
public class Event extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "partner_id")
    public String partnerId;
    public String title;
    public String description;
    public String venue;
    @Column(name = "starts_at")
    public Instant startsAt;
    @Column(name = "ends_at")
    public Instant endsAt;
    public int capacity;
    @Column(name = "seats_booked")
    public int seatsBooked;
    public String category;
    @Enumerated(EnumType.STRING)
    public EventStatus status;
    @Column(name = "rejection_reason")
    public String rejectionReason;
    public long version;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "submitted_at")
    public Instant submittedAt;
    @Column(name = "published_at")
    public Instant publishedAt;
    /** Changed content waiting for review, or the last rejected one; null when there is none. */
    @Embedded
    public Revision revision;
    /** Since when it waits in the admin's review queue (a new event, or a pending revision); else null. */
    @Column(name = "review_since")
    public Instant reviewSince;

    /** Moves the workflow; throws {@link EventStatus.InvalidTransitionException} when not allowed. */
    public void apply(EventStatus.Action action, Instant now) {
        EventStatus next = status.apply(action);
        if (next == EventStatus.PENDING_APPROVAL && status != next) {
            submittedAt = now;
            reviewSince = now;
            rejectionReason = null;
        }
        if (next != EventStatus.PENDING_APPROVAL) {
            reviewSince = null;
        }
        if (next == EventStatus.APPROVED && publishedAt == null) {
            publishedAt = now;
        }
        if (next == EventStatus.CANCELLED) {
            revision = null; // nothing left to review
        }
        status = next;
        touch(now);
    }

    /** Makes {@code content}'s title, description, venue, times and category the event's own. */
    public void takeContent(Revision content) {
        title = content.title;
        description = content.description;
        venue = content.venue;
        startsAt = content.startsAt;
        endsAt = content.endsAt;
        category = content.category;
    }

    public int seatsLeft() {
        return capacity - seatsBooked;
    }

    public boolean isOwnedBy(String sub) {
        return partnerId.equals(sub);
    }

    /** Whether anyone may see it: it has been approved, even if cancelled since. */
    public boolean isPublic() {
        return publishedAt != null;
    }

    /**
     * Who may see a record of it: the partner; admins once submitted; everyone once it has been
     * approved. A draft cancelled before approval stays private.
     */
    public Audience audience() {
        if (isPublic()) {
            return Audience.PUBLIC;
        }
        return status == EventStatus.DRAFT || submittedAt == null ? Audience.user(partnerId) : reviewAudience();
    }

    /** Who may see unreviewed content: the partner and admins, never the public. */
    public Audience reviewAudience() {
        return Audience.user(partnerId).and(Audience.role("admin"));
    }

    public boolean hasPendingRevision() {
        return revision != null && revision.isPending();
    }

    /** One change: the version moves on (it is the ETag) and updatedAt with it. */
    public void touch(Instant now) {
        version++;
        updatedAt = now;
    }
}
