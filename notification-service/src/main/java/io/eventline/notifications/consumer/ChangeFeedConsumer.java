package io.eventline.notifications.consumer;

import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.DataSchemas;
import io.eventline.changerecord.InvalidChangeRecordException;
import io.eventline.changerecord.RecordTypes;
import io.eventline.changefeed.trace.TraceContext;
import io.eventline.notifications.service.Derivation;
import io.eventline.notifications.service.SourceRecords;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Consumes eventline.events and eventline.messages (channel {@code change-feed}, group
 * {@code notification-service}), as any other team's service would. The channel's configuration
 * (commit and failure strategies) is in application.properties, with the reasons.
 *
 * <p>One record at a time, in order ({@code @Blocking} is ordered): each is applied in its own
 * transaction ({@link SourceRecords}), and returning acks it, so its offset can be committed only
 * after that transaction committed. A record no retry can apply (not a change record, data its
 * type's published schema rejects, data its type cannot be read from) is nacked and goes to the
 * dead-letter topic; one of a type we do not know is acked and ignored; anything else (the
 * database is away) is retried, holding the record, and never dead-lettered.
 */
@ApplicationScoped
public class ChangeFeedConsumer {

    private final SourceRecords records;
    private final Tracer tracer;
    private final MeterRegistry registry;

    public ChangeFeedConsumer(SourceRecords records, Tracer tracer, MeterRegistry registry) {
        this.records = records;
        this.tracer = tracer;
        this.registry = registry;
    }

    /** Every published schema compiled before the first record: its first record of a type would pay for it. */
    void compileSchemas(@Observes StartupEvent start) {
        DataSchemas.compileAll();
    }

    // Unbounded (maxRetries -1, maxDuration 0): giving up on a good record would nack it into the
    // dead-letter topic. The back-off caps at 10 s; the database health check fails readiness meanwhile.
    @Incoming("change-feed")
    @Blocking
    @Retry(maxRetries = -1, maxDuration = 0, delay = 200, jitter = 100, abortOn = PoisonRecordException.class)
    @ExponentialBackoff(maxDelay = 10, maxDelayUnit = ChronoUnit.SECONDS)
    public void consume(ConsumerRecord<String, byte[]> raw) {
        ChangeRecord record;
        try {
            record = ChangeRecord.fromConsumerRecord(raw);
        } catch (InvalidChangeRecordException e) {
            throw poison(raw, "not a change record", e);
        }
        // Before any transaction: data its published schema rejects is dead-lettered and writes nothing,
        // even when the fields this service reads happen to parse. The schema is open, so a field or an
        // enum value added later passes; a type RecordTypes does not know is left to Derivation (ignored).
        if (RecordTypes.all().contains(record.type())) {
            Set<String> violations = DataSchemas.violations(record.type(), record.data());
            if (!violations.isEmpty()) {
                throw poison(raw, record.type() + " record " + record.id() + " breaks "
                        + RecordTypes.schemaOf(record.type()) + ": " + String.join("; ", violations), null);
            }
        }
        Span span = tracer.spanBuilder(raw.topic() + " process").setSpanKind(SpanKind.CONSUMER)
                .setParent(parentOf(raw)).setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", raw.topic()).setAttribute("messaging.message.id", record.id())
                .startSpan();
        // Current while the record is applied: the notifications' outbox rows carry this trace on.
        try (Scope scope = span.makeCurrent()) {
            count(records.apply(record) == SourceRecords.Outcome.PROCESSED ? "processed" : "duplicate");
        } catch (Derivation.UnknownTypeException e) {
            // Forward compatibility: a type added after this service was built is acked, not dead-lettered.
            count("ignored");
            Log.infof("ignoring %s record %s: not a type this service understands", record.type(), record.id());
        } catch (InvalidChangeRecordException | IllegalArgumentException | DateTimeParseException e) {
            span.recordException(e);
            throw poison(raw, record.type() + " record " + record.id() + " cannot be applied", e);
        } catch (RuntimeException e) {
            // Ours, not the record's (the database is away): @Retry comes back to this very record.
            Log.warnf("%s-%d@%d (%s): %s; retrying", raw.topic(), raw.partition(), raw.offset(), record.id(), e);
            throw e;
        } finally {
            span.end();
        }
    }

    /** The connector's receive span when it made one current; else the trace the record's headers carry. */
    private static Context parentOf(ConsumerRecord<String, byte[]> raw) {
        Context current = Context.current();
        return Span.fromContext(current).getSpanContext().isValid() ? current : TraceContext.extract(raw.headers());
    }

    private PoisonRecordException poison(ConsumerRecord<String, byte[]> raw, String what, RuntimeException cause) {
        count("poison");
        if (cause == null) {
            Log.warnf("dead-lettering %s-%d@%d: %s", raw.topic(), raw.partition(), raw.offset(), what);
            return new PoisonRecordException(what);
        }
        Log.warnf("dead-lettering %s-%d@%d: %s: %s", raw.topic(), raw.partition(), raw.offset(), what,
                cause.getMessage());
        return new PoisonRecordException(what, cause);
    }

    private void count(String outcome) {
        registry.counter("eventline.notifications.records", "outcome", outcome).increment();
    }
}
