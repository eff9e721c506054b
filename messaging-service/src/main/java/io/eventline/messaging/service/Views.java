package io.eventline.messaging.service;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.eventline.messaging.Message;

/** What the API returns and the change records carry. */
public final class Views {

    private Views() {
    }

    /** A message; its seq is the record's aggregate version. */
    public record MessageView(UUID id, UUID conversationId, String senderId, String senderName, String body, long seq,
            Instant sentAt) {
        public static MessageView of(Message m) {
            return new MessageView(m.id, m.conversationId, m.senderId, m.senderName, m.body, m.seq, m.sentAt);
        }
    }

    /**
     * A conversation summary. {@code unreadCount} is the caller's own and is left out of change
     * records, which several participants share.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ConversationView(UUID id, String subject, UUID eventId, List<String> participants, String createdBy,
            Instant createdAt, long lastSeq, Instant activityAt, MessageView lastMessage, Long unreadCount) {
    }

    /** A participant's read position, as {@code POST …/read} answers and {@code conversation.read} carries. */
    public record ReadState(UUID conversationId, String userId, long readSeq, long unreadCount) {
    }

    /** {@code GET /api/messages/unread-count}. */
    public record UnreadCount(long count) {
    }
}
