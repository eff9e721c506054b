package io.eventline.notifications;

import java.time.Instant;
import java.util.UUID;

import io.eventline.changerecord.Audience;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A notification for a user ({@code user:<sub>}) or for a role ({@code role:admin}). */
@Entity
@Table(name = "notification")
public class Notification extends PanacheEntityBase {

    @Id
    public UUID id;
    /** {@code user:<sub>} or {@code role:<role>}: the notification's audience entry. */
    public String recipient;
    public String type;
    public String title;
    public String body;
    @Column(name = "subject_kind")
    public String subjectKind;
    @Column(name = "subject_id")
    public String subjectId;
    /** The {@code ce_id} of the change record it was derived from. */
    @Column(name = "source_id")
    public String sourceId;
    @Column(name = "created_at")
    public Instant createdAt;
    /** When a user-addressed notification was read; role-addressed ones keep read state per user. */
    @Column(name = "read_at")
    public Instant readAt;

    public boolean isForRole() {
        return Audience.isRoleEntry(recipient);
    }
}
