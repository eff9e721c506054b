package io.eventline.changefeed.trace;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * W3C trace context across the change feed: captured from the current span when a change is
 * written to the outbox (in the request's transaction), carried as the {@code traceparent} and
 * {@code tracestate} Kafka headers by the relay, and restored by consumers, so one trace runs
 * HTTP → outbox → Kafka → consumer → its own records.
 *
 * <p>The relay publishes later, on its own thread, so the context travels in the outbox row,
 * not in the thread.
 */
public final class TraceContext {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";
    /** The outbox column's size, and the length W3C Trace Context asks every system to carry. */
    public static final int MAX_TRACESTATE = 512;

    private static final TextMapGetter<Headers> KAFKA_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            return java.util.Arrays.stream(headers.toArray()).map(Header::key).toList();
        }

        @Override
        public String get(Headers headers, String key) {
            Header h = headers == null ? null : headers.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    private TraceContext() {
    }

    /** The current span's {@code traceparent} and {@code tracestate} (absent when there is no valid span). */
    public static Map<String, String> current() {
        java.util.Map<String, String> carrier = new java.util.LinkedHashMap<>();
        SpanContext span = Span.current().getSpanContext();
        if (span.isValid()) {
            W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
        }
        // W3C Trace Context asks to propagate at least 512 characters of tracestate; a longer one
        // (a client's, passed on) is dropped rather than stored: tracing must never fail a write.
        String state = carrier.get(TRACESTATE);
        if (state != null && state.length() > MAX_TRACESTATE) {
            carrier.remove(TRACESTATE);
        }
        return carrier;
    }

    /** Adds the headers to a record about to be published; nulls are skipped. */
    public static void addHeaders(Headers headers, String traceparent, String tracestate) {
        if (traceparent != null && !traceparent.isBlank()) {
            headers.add(TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
            if (tracestate != null && !tracestate.isBlank()) {
                headers.add(TRACESTATE, tracestate.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** The context a consumed record carries, or the root context when it carries none. */
    public static Context extract(Headers headers) {
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, KAFKA_HEADERS);
    }
}
