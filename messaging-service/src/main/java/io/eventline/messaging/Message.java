package io.eventline.messaging;

import java.time.Instant;
import java.util.UUID;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A message; {@code seq} rises strictly within its conversation. */
@Entity
@Table(name = "message")
public class Message extends PanacheEntityBase {

    @Id
    public UUID id;
    @Column(name = "conversation_id")
    public UUID conversationId;
    public long seq;
    @Column(name = "sender_id")
    public String senderId;
    @Column(name = "sender_name")
    public String senderName;
    public String body;
    @Column(name = "sent_at")
    public Instant sentAt;
}
