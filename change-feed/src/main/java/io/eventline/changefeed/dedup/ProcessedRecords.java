package io.eventline.changefeed.dedup;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Consumer-side de-duplication on {@code ce_id}, backed by a primary key, not by memory.
 *
 * <p>Call {@link #firstDelivery} in the same transaction as the record's effect and act only when
 * it returns true. A redelivery, a crash between commit and offset commit, or a replay of the whole
 * topic then finds the row and acts on nothing. Two concurrent deliveries of the same record
 * serialise on the key: the second waits for the first and sees it.
 */
@ApplicationScoped
public class ProcessedRecords {

    private final EntityManager em;

    public ProcessedRecords(EntityManager em) {
        this.em = em;
    }

    /** True the first time {@code consumer} sees {@code ceId}; false for every later delivery. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean firstDelivery(String consumer, String ceId) {
        return em.createNativeQuery(
                "insert into changefeed_processed (consumer, ce_id) values (?1, ?2) on conflict do nothing")
                .setParameter(1, consumer)
                .setParameter(2, ceId)
                .executeUpdate() == 1;
    }
}
