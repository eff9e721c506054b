package io.eventline.changefeed.testapp;

import java.util.UUID;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.Topics;
import io.eventline.changefeed.dedup.ProcessedRecords;
import io.eventline.changefeed.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/** Writes widgets with their change records, and consumes records idempotently. */
@ApplicationScoped
public class WidgetService {

    public static final String CONSUMER = "widget-effects";

    private final EntityManager em;
    private final Outbox outbox;
    private final ProcessedRecords processed;

    public WidgetService(EntityManager em, Outbox outbox, ProcessedRecords processed) {
        this.em = em;
        this.outbox = outbox;
        this.processed = processed;
    }

    public record WidgetView(UUID id, String name, long version) {
    }

    /** Creates or renames a widget; {@code fail} throws after the outbox write, rolling both back. */
    @Transactional
    public UUID save(UUID id, String name, boolean fail) {
        Widget w = em.find(Widget.class, id, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (w == null) {
            w = new Widget();
            w.id = id;
            w.name = name;
            w.version = 1;
            em.persist(w);
        } else {
            w.name = name;
            w.version++;
        }
        UUID ceId = outbox.record(Topics.EVENTS, id.toString(), w.version == 1 ? "widget.created" : "widget.updated",
                id.toString(), Audience.user("alice").and(Audience.role("admin")), w.version,
                new WidgetView(w.id, w.name, w.version));
        if (fail) {
            throw new IllegalStateException("rolled back on purpose");
        }
        return ceId;
    }

    /** Acts on a record once, however often it is delivered. */
    @Transactional
    public boolean consume(ChangeRecord record) {
        if (!processed.firstDelivery(CONSUMER, record.id())) {
            return false;
        }
        em.createNativeQuery("insert into widget_effect (source_id) values (?1)").setParameter(1, record.id())
                .executeUpdate();
        return true;
    }

    @Transactional
    public long effects(String sourceId) {
        return ((Number) em.createNativeQuery("select count(*) from widget_effect where source_id = ?1")
                .setParameter(1, sourceId).getSingleResult()).longValue();
    }

    @Transactional
    public long outboxRows() {
        return ((Number) em.createNativeQuery("select count(*) from changefeed_outbox").getSingleResult()).longValue();
    }
}
