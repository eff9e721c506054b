package io.eventline.events;

import java.time.Instant;
import java.util.UUID;

import io.eventline.changerecord.Audience;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

/** Seats a user holds at an event. */
@Entity
@Table(name = "booking")
public class Booking extends PanacheEntityBase {

    @Id
    public UUID id;
    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "event_id")
    public Event event;
    @Column(name = "user_id")
    public String userId;
    public int seats;
    @Enumerated(EnumType.STRING)
    public BookingStatus status;
    public long version;
    @Column(name = "created_at")
    public Instant createdAt;

    /**
     * Cancels the booking and returns the seats it released; the caller holds the event's row
     * lock and updates the event's seat count.
     */
    public int release() {
        if (status == BookingStatus.CANCELLED) {
            throw new EventStatus.InvalidTransitionException("the booking is already CANCELLED", status);
        }
        status = BookingStatus.CANCELLED;
        version++;
        return seats;
    }

    /** The booker and the event's partner; never every booker of the event. */
    public Audience audience() {
        return Audience.user(userId).and(Audience.user(event.partnerId));
    }
}
