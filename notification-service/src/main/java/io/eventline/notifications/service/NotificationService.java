package io.eventline.notifications.service;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.Topics;
import io.eventline.changefeed.outbox.Outbox;
import io.eventline.http.Caller;
import io.eventline.http.Cursor;
import io.eventline.http.Page;
import io.eventline.http.Problem;
import io.eventline.http.Times;
import io.eventline.notifications.Notification;
import io.eventline.notifications.api.NotificationView;
import io.eventline.notifications.api.Subject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Stores notifications and their read state, and publishes both on eventline.notifications.
 * A role notification ({@code role:admin}) is stored once and shown to every admin; each admin's
 * read state is a row of its own, and counters keep every unread count exact without counting.
 */
@ApplicationScoped
public class NotificationService {

    private final EntityManager em;
    private final Outbox outbox;

    public NotificationService(EntityManager em, Outbox outbox) {
        this.em = em;
        this.outbox = outbox;
    }

    /** Stores what a source record yields (in the consumer's transaction); a redelivery stores nothing. */
    @Transactional(Transactional.TxType.MANDATORY)
    public int store(String sourceId, List<Derivation.Draft> drafts) {
        int stored = 0;
        Instant now = now();
        for (Derivation.Draft d : drafts) {
            Notification n = new Notification();
            n.id = UUID.randomUUID();
            n.recipient = d.recipient();
            n.type = d.type();
            n.title = d.title();
            n.body = d.body();
            n.subjectKind = d.subjectKind();
            n.subjectId = d.subjectId();
            n.sourceId = sourceId;
            n.createdAt = now;
            int inserted = em.createNativeQuery("""
                    insert into notification (id, recipient, type, title, body, subject_kind, subject_id, source_id, created_at)
                    values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) on conflict (source_id, recipient) do nothing""")
                    .setParameter(1, n.id).setParameter(2, n.recipient).setParameter(3, n.type).setParameter(4, n.title)
                    .setParameter(5, n.body).setParameter(6, n.subjectKind).setParameter(7, n.subjectId)
                    .setParameter(8, n.sourceId).setParameter(9, n.createdAt).executeUpdate();
            if (inserted == 0) {
                continue;
            }
            if (n.isForRole()) {
                em.createNativeQuery("insert into role_counter (role, received) values (?1, 1) "
                        + "on conflict (role) do update set received = role_counter.received + 1")
                        .setParameter(1, role(n.recipient)).executeUpdate();
            }
            outbox.record(Topics.NOTIFICATIONS, key(n.recipient), "notification.created", n.id.toString(),
                    Audience.parse(n.recipient), 1, NotificationView.of(n, false));
            stored++;
        }
        return stored;
    }

    @Transactional
    public Page<NotificationView> list(Caller caller, boolean unreadOnly, Page.Request<Cursor> page) {
        Cursor at = page.after();
        StringBuilder sql = new StringBuilder("""
                select n.id, n.type, n.title, n.body, n.subject_kind, n.subject_id, n.created_at, n.source_id,
                       (n.read_at is not null or r.user_id is not null) as is_read
                from notification n
                left join notification_read r on r.notification_id = n.id and r.user_id = :me
                where n.recipient in (:entries)""");
        if (unreadOnly) {
            sql.append(" and n.read_at is null and r.user_id is null");
        }
        if (at != null) {
            sql.append(" and (n.created_at < :at or (n.created_at = :at and n.id < :id))");
        }
        sql.append(" order by n.created_at desc, n.id desc limit :limit");
        var q = em.createNativeQuery(sql.toString()).setParameter("me", caller.sub())
                .setParameter("entries", Audience.entriesAdmitting(caller.sub(), caller.role()))
                .setParameter("limit", page.fetch());
        if (at != null) {
            q.setParameter("at", at.at()).setParameter("id", at.id());
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = q.getResultList();
        List<NotificationView> views = rows.stream().map(r -> new NotificationView((UUID) r[0], (String) r[1],
                (String) r[2], (String) r[3], new Subject((String) r[4], (String) r[5]),
                (Boolean) r[8], Times.of(r[6]), (String) r[7])).toList();
        return page.page(views, n -> new Cursor(n.createdAt(), n.id()), n -> n);
    }

    /** Exact: the caller's unread user notifications (a partial index) plus their role's received minus read. */
    @Transactional
    public long unreadCount(Caller caller) {
        return ((Number) em.createNativeQuery("""
                select (select count(*) from notification where recipient = ?1 and read_at is null)
                     + coalesce((select received from role_counter where role = ?2), 0)
                     - coalesce((select read from role_reads where user_id = ?3 and role = ?2), 0)""")
                .setParameter(1, Audience.userEntry(caller.sub())).setParameter(2, caller.role())
                .setParameter(3, caller.sub()).getSingleResult()).longValue();
    }

    /** Marks one notification read for the caller; 404 unless it is addressed to them or their role. */
    @Transactional
    public NotificationView markRead(Caller caller, UUID id) {
        Notification n = Notification.findById(id);
        if (n == null || !Audience.parse(n.recipient).admits(caller.sub(), caller.role())) {
            throw Problem.notFound("notification " + id);
        }
        boolean changed;
        if (n.isForRole()) {
            changed = readRoleNotification(caller, n.id, now()) == 1;
        } else {
            changed = em.createNativeQuery("update notification set read_at = ?2 where id = ?1 and read_at is null")
                    .setParameter(1, n.id).setParameter(2, now()).executeUpdate() == 1;
        }
        NotificationView view = NotificationView.of(n, true);
        if (changed) {
            // Keyed like the notification's notification.created (its recipient: the reader, or
            // role:admin), so that every record about one notification is on one partition, in order.
            outbox.record(Topics.NOTIFICATIONS, key(n.recipient), "notification.read", n.id.toString(),
                    Audience.user(caller.sub()), 2, view);
        }
        return view;
    }

    /** Marks every notification of the caller read; returns how many changed. */
    @Transactional
    public long markAllRead(Caller caller) {
        Instant now = now();
        long changed = em.createNativeQuery("update notification set read_at = ?2 where recipient = ?1 and read_at is null")
                .setParameter(1, Audience.userEntry(caller.sub())).setParameter(2, now).executeUpdate();
        @SuppressWarnings("unchecked")
        List<UUID> unreadForRole = em.createNativeQuery("""
                select n.id from notification n where n.recipient = ?1
                and not exists (select 1 from notification_read r where r.notification_id = n.id and r.user_id = ?2)""")
                .setParameter(1, Audience.roleEntry(caller.role())).setParameter(2, caller.sub()).getResultList();
        for (UUID id : unreadForRole) {
            changed += readRoleNotification(caller, id, now);
        }
        if (changed > 0) {
            long version = now.toEpochMilli() * 1000 + now.getNano() / 1000 % 1000;
            outbox.record(Topics.NOTIFICATIONS, caller.sub(), "notification.read-all", caller.sub(),
                    Audience.user(caller.sub()), version, Map.of("userId", caller.sub(), "readAt", now.toString(),
                            "count", changed));
        }
        return changed;
    }

    private int readRoleNotification(Caller caller, UUID id, Instant now) {
        int inserted = em.createNativeQuery("insert into notification_read (notification_id, user_id, read_at) "
                + "values (?1, ?2, ?3) on conflict do nothing").setParameter(1, id).setParameter(2, caller.sub())
                .setParameter(3, now).executeUpdate();
        if (inserted == 1) {
            em.createNativeQuery("insert into role_reads (user_id, role, read) values (?1, ?2, 1) "
                    + "on conflict (user_id, role) do update set read = role_reads.read + 1")
                    .setParameter(1, caller.sub()).setParameter(2, caller.role()).executeUpdate();
        }
        return inserted;
    }

    private static String role(String recipient) {
        return Audience.roleOf(recipient);
    }

    private static String key(String recipient) {
        return Audience.isUserEntry(recipient) ? Audience.subjectOf(recipient) : recipient;
    }

    static Instant now() {
        return Times.now();
    }

}
