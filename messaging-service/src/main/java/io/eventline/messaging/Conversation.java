package io.eventline.messaging;

import java.time.Instant;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A conversation between participants; its row lock orders the messages sent into it. */
@Entity
@Table(name = "conversation")
public class Conversation extends PanacheEntityBase {

    @Id
    public UUID id;
    public String subject;
    @Column(name = "event_id")
    public UUID eventId;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "last_seq")
    public long lastSeq;
    @Column(name = "activity_at")
    public Instant activityAt;

    /** The seq of the next message; the caller holds the row lock. */
    public long nextSeq(Instant now) {
        lastSeq++;
        activityAt = now;
        return lastSeq;
    }
}
