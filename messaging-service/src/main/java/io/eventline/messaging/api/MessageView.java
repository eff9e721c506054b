package io.eventline.messaging.api;

import java.time.Instant;
import java.util.UUID;

import io.eventline.messaging.Message;

/** A message as the API returns it and the change records carry it; its seq is the record's aggregate version. */
public record MessageView(UUID id, UUID conversationId, String senderId, String senderName, String body, long seq,
        Instant sentAt) {

    public static MessageView of(Message m) {
        return new MessageView(m.id, m.conversationId, m.senderId, m.senderName, m.body, m.seq, m.sentAt);
    }
}
