package io.eventline.messaging.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.Topics;
import io.eventline.changefeed.outbox.Outbox;
import io.eventline.http.Caller;
import io.eventline.http.Created;
import io.eventline.http.Cursor;
import io.eventline.http.Idempotency;
import io.eventline.http.Page;
import io.eventline.http.Problem;
import io.eventline.http.Times;
import io.eventline.messaging.Conversation;
import io.eventline.messaging.Message;
import io.eventline.messaging.Participant;
import io.eventline.messaging.api.NewConversation;
import io.eventline.messaging.api.ConversationView;
import io.eventline.messaging.api.MessageView;
import io.eventline.messaging.api.ReadState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;

/**
 * Conversations, messages and read state. Only participants may see a conversation; anyone else
 * gets a 404, so its existence does not leak. Each change commits with its record on
 * eventline.messages, keyed by the conversation.
 */
@ApplicationScoped
public class ConversationService {

    /** A user id must fit an audience entry ({@code user:<id>}): no commas, no spaces. */
    private static final Pattern USER_ID = Pattern.compile("[^,\\s]{1,200}");
    private static final int MAX_OTHERS = 50;

    private final EntityManager em;
    private final Outbox outbox;
    private final Idempotency idempotency;

    public ConversationService(EntityManager em, Outbox outbox, Idempotency idempotency) {
        this.em = em;
        this.outbox = outbox;
        this.idempotency = idempotency;
    }

    @Transactional
    public Created<ConversationView> create(Caller caller, NewConversation in, String idempotencyKey) {
        TreeSet<String> others = new TreeSet<>();
        for (String id : in.participantIds()) {
            String trimmed = id.strip();
            if (!USER_ID.matcher(trimmed).matches()) {
                throw Problem.badRequest("participantIds", "'" + trimmed + "' is not a user id");
            }
            others.add(trimmed);
        }
        others.remove(caller.sub());
        if (others.isEmpty()) {
            throw Problem.badRequest("participantIds", "name at least one participant other than yourself");
        }
        if (others.size() > MAX_OTHERS) {
            throw Problem.badRequest("participantIds", "at most " + MAX_OTHERS + " others");
        }
        UUID id = UUID.randomUUID();
        Optional<UUID> earlier = idempotency.claim(caller.sub(), "conversation", idempotencyKey, in.toString(), id);
        if (earlier.isPresent()) {
            return new Created<>(view(caller, conversation(caller, earlier.get())), true);
        }
        Instant now = now();
        Conversation c = new Conversation();
        c.id = id;
        c.subject = in.subject() == null || in.subject().isBlank() ? null : in.subject().strip();
        c.eventId = in.eventId();
        c.createdBy = caller.sub();
        c.createdAt = now;
        c.activityAt = now;
        c.persist();
        TreeSet<String> everyone = new TreeSet<>(others);
        everyone.add(caller.sub());
        for (String user : everyone) {
            Participant p = new Participant();
            p.key = new Participant.Key(id, user);
            p.persist();
        }
        em.flush();
        ConversationView summary = summary(c, List.copyOf(everyone), null);
        outbox.record(Topics.MESSAGES, id.toString(), "conversation.created", id.toString(), Audience.users(everyone),
                1, summary);
        return new Created<>(view(caller, c), false);
    }

    @Transactional
    public Created<MessageView> send(Caller caller, UUID conversationId, String body, String idempotencyKey) {
        Participant sender = participant(caller, conversationId);
        UUID id = UUID.randomUUID();
        Optional<UUID> earlier = idempotency.claim(caller.sub(), "message", idempotencyKey,
                conversationId + "/" + body, id);
        if (earlier.isPresent()) {
            return new Created<>(MessageView.of(Message.findById(earlier.get())), true);
        }
        Conversation c = Conversation.findById(conversationId, LockModeType.PESSIMISTIC_WRITE);
        Instant now = now();
        Message m = new Message();
        m.id = id;
        m.conversationId = conversationId;
        m.seq = c.nextSeq(now);
        m.senderId = caller.sub();
        m.senderName = caller.name();
        m.body = body;
        m.sentAt = now;
        m.persist();
        sender.readUpTo(m.seq); // whoever writes has read what came before
        MessageView view = MessageView.of(m);
        outbox.record(Topics.MESSAGES, conversationId.toString(), "message.sent", conversationId.toString(),
                Audience.users(participantIds(conversationId)), m.seq, view);
        return new Created<>(view, false);
    }

    /** Moves the caller's read position forward (never back); publishes conversation.read to the caller only. */
    @Transactional
    public ReadState markRead(Caller caller, UUID conversationId, long upToSeq) {
        participant(caller, conversationId);
        Participant p = Participant.findById(new Participant.Key(conversationId, caller.sub()),
                LockModeType.PESSIMISTIC_WRITE);
        Conversation c = Conversation.findById(conversationId);
        if (upToSeq > c.lastSeq) {
            throw Problem.badRequest("upToSeq", "the last message is seq " + c.lastSeq);
        }
        ReadState state;
        if (p.readUpTo(upToSeq)) {
            state = new ReadState(conversationId, caller.sub(), p.readSeq, c.lastSeq - p.readSeq);
            outbox.record(Topics.MESSAGES, conversationId.toString(), "conversation.read", conversationId.toString(),
                    Audience.user(caller.sub()), p.readSeq, state);
        } else {
            state = new ReadState(conversationId, caller.sub(), p.readSeq, c.lastSeq - p.readSeq);
        }
        return state;
    }

    @Transactional
    public ConversationView get(Caller caller, UUID id) {
        return view(caller, conversation(caller, id));
    }

    @Transactional
    public Page<ConversationView> list(Caller caller, Page.Request<Cursor> page) {
        Cursor at = page.after();
        String keyset = at == null ? "" : " and (c.activityAt < :at or (c.activityAt = :at and c.id < :id))";
        var q = em.createQuery("select c from Conversation c where c.id in "
                + "(select p.key.conversationId from Participant p where p.key.userId = :me)" + keyset
                + " order by c.activityAt desc, c.id desc", Conversation.class)
                .setParameter("me", caller.sub()).setMaxResults(page.fetch());
        if (at != null) {
            q.setParameter("at", at.at()).setParameter("id", at.id());
        }
        return page.pageOfAll(q.getResultList(), c -> new Cursor(c.activityAt, c.id), kept -> views(caller, kept));
    }

    /** Newest first, before the seq {@code page.after()} (the latest without one). */
    @Transactional
    public Page<MessageView> messages(Caller caller, UUID conversationId, Page.Request<Long> page) {
        participant(caller, conversationId);
        List<Message> rows = Message.find("conversationId = ?1 and seq < ?2 order by seq desc", conversationId,
                page.after() == null ? Long.MAX_VALUE : page.after()).page(0, page.fetch()).list();
        return page.page(rows, m -> m.seq, MessageView::of);
    }

    /** The caller's unread messages over all conversations: a sum of per-conversation differences. */
    @Transactional
    public long unreadTotal(Caller caller) {
        return ((Number) em.createNativeQuery("""
                select coalesce(sum(c.last_seq - p.read_seq), 0) from participant p
                join conversation c on c.id = p.conversation_id where p.user_id = ?1""")
                .setParameter(1, caller.sub()).getSingleResult()).longValue();
    }

    private Participant participant(Caller caller, UUID conversationId) {
        Participant p = Participant.findById(new Participant.Key(conversationId, caller.sub()));
        if (p == null) {
            throw Problem.notFound("conversation " + conversationId);
        }
        return p;
    }

    private Conversation conversation(Caller caller, UUID id) {
        participant(caller, id);
        return Conversation.findById(id);
    }

    private List<String> participantIds(UUID conversationId) {
        return em.createQuery("select p.key.userId from Participant p where p.key.conversationId = ?1 order by p.key.userId",
                String.class).setParameter(1, conversationId).getResultList();
    }

    private ConversationView view(Caller caller, Conversation c) {
        return views(caller, List.of(c)).get(0);
    }

    /** Views of a page of conversations: participants, last messages and read positions in three queries. */
    private List<ConversationView> views(Caller caller, List<Conversation> page) {
        if (page.isEmpty()) {
            return List.of();
        }
        List<UUID> ids = page.stream().map(c -> c.id).toList();
        Map<UUID, List<String>> participants = em.createQuery(
                "from Participant p where p.key.conversationId in :ids order by p.key.userId", Participant.class)
                .setParameter("ids", ids).getResultStream()
                .collect(Collectors.groupingBy(p -> p.key.conversationId(),
                        Collectors.mapping(p -> p.key.userId(), Collectors.toList())));
        Map<UUID, Long> readSeq = em.createQuery(
                "from Participant p where p.key.conversationId in :ids and p.key.userId = :me", Participant.class)
                .setParameter("ids", ids).setParameter("me", caller.sub()).getResultStream()
                .collect(Collectors.toMap(p -> p.key.conversationId(), p -> p.readSeq));
        Map<UUID, Message> last = em.createQuery("select m from Message m, Conversation c where c.id in :ids "
                + "and m.conversationId = c.id and m.seq = c.lastSeq", Message.class)
                .setParameter("ids", ids).getResultStream().collect(Collectors.toMap(m -> m.conversationId, m -> m));
        List<ConversationView> views = new ArrayList<>(page.size());
        for (Conversation c : page) {
            views.add(summary(c, participants.get(c.id), last.get(c.id), c.lastSeq - readSeq.getOrDefault(c.id, 0L)));
        }
        return views;
    }

    private static ConversationView summary(Conversation c, List<String> participants, Long unread) {
        return summary(c, participants, null, unread);
    }

    private static ConversationView summary(Conversation c, List<String> participants, Message last, Long unread) {
        return new ConversationView(c.id, c.subject, c.eventId, participants, c.createdBy, c.createdAt, c.lastSeq,
                c.activityAt, last == null ? null : MessageView.of(last), unread);
    }

    private static Instant now() {
        return Times.now();
    }
}
