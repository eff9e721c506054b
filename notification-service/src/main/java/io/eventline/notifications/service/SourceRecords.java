package io.eventline.notifications.service;

import io.eventline.changerecord.ChangeRecord;
import io.eventline.changefeed.dedup.ProcessedRecords;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

/**
 * Applies one source record in one transaction of its own: its {@code ce_id} in
 * {@code changefeed_processed}, the projections and the notifications it yields (with their outbox
 * rows) commit together or not at all. A redelivery finds the {@code ce_id} and does nothing.
 */
@ApplicationScoped
public class SourceRecords {

    /** The consumer name in {@code changefeed_processed}, and the Kafka consumer group. */
    public static final String CONSUMER = "notification-service";

    /** What applying a record did. */
    public enum Outcome {
        PROCESSED, DUPLICATE
    }

    private final ProcessedRecords processed;
    private final Derivation derivation;
    private final NotificationService notifications;

    public SourceRecords(ProcessedRecords processed, Derivation derivation, NotificationService notifications) {
        this.processed = processed;
        this.derivation = derivation;
        this.notifications = notifications;
    }

    /**
     * Throws (and rolls everything back) when the record is not one this service can apply:
     * {@link Derivation.UnknownTypeException} for a type it does not know, an
     * {@link io.eventline.changerecord.InvalidChangeRecordException} or a parse error for data its type
     * cannot be read from, and the database's exceptions when the database fails.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Outcome apply(ChangeRecord record) {
        if (!processed.firstDelivery(CONSUMER, record.id())) {
            return Outcome.DUPLICATE;
        }
        notifications.store(record.id(), derivation.derive(record));
        return Outcome.PROCESSED;
    }
}
