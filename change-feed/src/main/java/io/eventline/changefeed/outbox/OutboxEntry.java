package io.eventline.changefeed.outbox;

import java.time.Instant;
import java.util.UUID;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A change record waiting in the outbox table for the relay to publish it. */
@Entity
@Table(name = "changefeed_outbox")
public class OutboxEntry {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "ce_id", nullable = false, updatable = false)
    public UUID ceId;

    @Column(nullable = false, updatable = false)
    public String topic;

    @Column(name = "record_key", nullable = false, updatable = false)
    public String recordKey;

    @Column(name = "ce_type", nullable = false, updatable = false)
    public String type;

    @Column(name = "ce_source", nullable = false, updatable = false)
    public String source;

    @Column(name = "ce_subject", nullable = false, updatable = false)
    public String subject;

    @Column(name = "ce_time", nullable = false, updatable = false)
    public Instant time;

    @Column(nullable = false, updatable = false)
    public String audience;

    @Column(name = "aggregate_version", nullable = false, updatable = false)
    public long aggregateVersion;

    @Column(nullable = false, updatable = false)
    public String payload;

    /** The W3C trace context of the transaction that wrote it; null outside a trace. */
    @Column(updatable = false)
    public String traceparent;

    @Column(updatable = false)
    public String tracestate;

    ChangeRecord toChangeRecord() {
        return new ChangeRecord(topic, recordKey, ceId.toString(), source, type, subject, time,
                Audience.parse(audience), aggregateVersion, payload);
    }
}
