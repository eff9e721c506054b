package io.eventline.messaging;

import java.io.Serializable;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A user in a conversation, with how far they have read. */
@Entity
@Table(name = "participant")
public class Participant extends PanacheEntityBase {

    /** The key: conversation and user. */
    @Embeddable
    public record Key(@Column(name = "conversation_id") UUID conversationId, @Column(name = "user_id") String userId)
            implements Serializable {
    }

    @EmbeddedId
    public Key key;
    @Column(name = "read_seq")
    public long readSeq;

    /** Moves the read position forward, never back; true when it moved. */
    public boolean readUpTo(long seq) {
        if (seq <= readSeq) {
            return false;
        }
        readSeq = seq;
        return true;
    }
}
