package io.eventline.changefeed.outbox;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventline.changerecord.Audience;
import io.eventline.changefeed.trace.TraceContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

/**
 * Records a change in the caller's transaction: the record is published if and only if the
 * transaction commits, and a commit wakes the relay at once.
 */
@ApplicationScoped
public class Outbox {

    private static final Object WAKE_REGISTERED = new Object();

    private final EntityManager em;
    private final ObjectMapper mapper;
    private final TransactionSynchronizationRegistry tsr;
    private final OutboxRelay relay;
    private final String source;

    public Outbox(EntityManager em, ObjectMapper mapper, TransactionSynchronizationRegistry tsr, OutboxRelay relay,
            OutboxConfig config, @ConfigProperty(name = "quarkus.application.name") String applicationName) {
        this.em = em;
        this.mapper = mapper;
        this.tsr = tsr;
        this.relay = relay;
        this.source = config.source().orElse(applicationName);
    }

    /**
     * Writes one change record into the outbox.
     *
     * @param topic            one of {@link io.eventline.changerecord.Topics}
     * @param key              the Kafka key (keeps an aggregate's records in order)
     * @param type             the {@code ce_type}, e.g. {@code event.approved}
     * @param subject          the aggregate id
     * @param audience         who may see it
     * @param aggregateVersion the aggregate's version after the change
     * @param data             the aggregate's full state, serialised as the REST resource is
     * @return the record's {@code ce_id}
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public UUID record(String topic, String key, String type, String subject, Audience audience,
            long aggregateVersion, Object data) {
        OutboxEntry entry = new OutboxEntry();
        entry.ceId = UUID.randomUUID();
        entry.topic = topic;
        entry.recordKey = key;
        entry.type = type;
        entry.source = source;
        entry.subject = subject;
        entry.time = Instant.now().truncatedTo(ChronoUnit.MICROS);
        entry.audience = audience.format();
        entry.aggregateVersion = aggregateVersion;
        try {
            entry.payload = mapper.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("change data is not serialisable: " + e.getMessage(), e);
        }
        Map<String, String> trace = TraceContext.current();
        entry.traceparent = trace.get(TraceContext.TRACEPARENT);
        entry.tracestate = trace.get(TraceContext.TRACESTATE);
        em.persist(entry);
        wakeRelayAfterCommit();
        return entry.ceId;
    }

    private void wakeRelayAfterCommit() {
        if (tsr.getResource(WAKE_REGISTERED) != null) {
            return;
        }
        tsr.putResource(WAKE_REGISTERED, Boolean.TRUE);
        tsr.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    relay.wake();
                }
            }
        });
    }
}
