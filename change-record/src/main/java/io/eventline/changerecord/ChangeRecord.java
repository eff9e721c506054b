package io.eventline.changerecord;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * One change record: a CloudEvents 1.0 event in Kafka binary mode, whose data is the full state
 * of the aggregate after the change, as JSON.
 *
 * <p>Headers: {@code ce_specversion}, {@code ce_id} (the de-duplication key), {@code ce_source},
 * {@code ce_type}, {@code ce_subject} (the aggregate id), {@code ce_time},
 * {@code content-type: application/json}, {@code ce_dataschema} (the versioned schema of the data,
 * from {@link RecordTypes#dataSchemaOf}; only on Eventline's own types), and the extensions
 * {@code ce_audience} and {@code ce_aggregateversion}. The data schema is derived from the type
 * here, the one place that writes the attributes, so no producer can forget or misspell it.
 */
public record ChangeRecord(String topic, String key, String id, String source, String type, String subject,
        Instant time, Audience audience, long aggregateVersion, String data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String CONTENT_TYPE = "application/json";

    public static final String H_SPECVERSION = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_SOURCE = "ce_source";
    public static final String H_TYPE = "ce_type";
    public static final String H_SUBJECT = "ce_subject";
    public static final String H_TIME = "ce_time";
    public static final String H_AUDIENCE = "ce_audience";
    public static final String H_AGGREGATE_VERSION = "ce_aggregateversion";
    public static final String H_CONTENT_TYPE = "content-type";
    public static final String H_DATASCHEMA = "ce_dataschema";

    private static final JsonFactory JSON = new JsonFactory();

    public ChangeRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(data, "data");
    }

    /** The record in Kafka binary mode. */
    public ProducerRecord<String, byte[]> toProducerRecord() {
        Headers headers = new RecordHeaders();
        header(headers, H_SPECVERSION, SPEC_VERSION);
        header(headers, H_ID, id);
        header(headers, H_SOURCE, source);
        header(headers, H_TYPE, type);
        header(headers, H_SUBJECT, subject);
        header(headers, H_TIME, time.toString());
        header(headers, H_CONTENT_TYPE, CONTENT_TYPE);
        RecordTypes.dataSchemaOf(type).ifPresent(uri -> header(headers, H_DATASCHEMA, uri));
        header(headers, H_AUDIENCE, audience.format());
        header(headers, H_AGGREGATE_VERSION, Long.toString(aggregateVersion));
        return new ProducerRecord<>(topic, null, key, data.getBytes(StandardCharsets.UTF_8), headers);
    }

    /**
     * Reads a record from Kafka; throws {@link InvalidChangeRecordException} when a required
     * attribute is missing or malformed, or when the value is not a JSON object.
     */
    public static ChangeRecord fromConsumerRecord(ConsumerRecord<String, byte[]> record) {
        Headers h = record.headers();
        String specVersion = required(h, H_SPECVERSION);
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new InvalidChangeRecordException("unsupported ce_specversion '" + specVersion + "'");
        }
        Instant time;
        try {
            time = Instant.parse(required(h, H_TIME));
        } catch (DateTimeParseException e) {
            throw new InvalidChangeRecordException("ce_time is not an ISO-8601 instant", e);
        }
        Audience audience;
        try {
            audience = Audience.parse(required(h, H_AUDIENCE));
        } catch (IllegalArgumentException e) {
            throw new InvalidChangeRecordException("bad ce_audience: " + e.getMessage(), e);
        }
        long version;
        try {
            version = Long.parseLong(required(h, H_AGGREGATE_VERSION));
        } catch (NumberFormatException e) {
            throw new InvalidChangeRecordException("ce_aggregateversion is not an integer", e);
        }
        if (record.value() == null) {
            throw new InvalidChangeRecordException("the record has no value");
        }
        String data = new String(record.value(), StandardCharsets.UTF_8);
        requireJsonObject(data);
        return new ChangeRecord(record.topic(), record.key() == null ? "" : record.key(), required(h, H_ID),
                required(h, H_SOURCE), required(h, H_TYPE), required(h, H_SUBJECT), time, audience, version, data);
    }

    /** The record in CloudEvents structured mode (JSON), as the gateway streams it. */
    public String toStructuredJson() {
        StringBuilder out = new StringBuilder(data.length() + 320);
        out.append("{\"specversion\":\"").append(SPEC_VERSION).append('"');
        field(out, "id", id);
        field(out, "source", source);
        field(out, "type", type);
        field(out, "subject", subject);
        field(out, "time", time.toString());
        field(out, "datacontenttype", CONTENT_TYPE);
        RecordTypes.dataSchemaOf(type).ifPresent(uri -> field(out, "dataschema", uri));
        field(out, "audience", audience.format());
        out.append(",\"aggregateversion\":").append(aggregateVersion);
        out.append(",\"data\":").append(data).append('}');
        return out.toString();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(",\"").append(name).append("\":\"");
        JsonStringEncoder.getInstance().quoteAsString(value, out);
        out.append('"');
    }

    private static void requireJsonObject(String data) {
        try (JsonParser parser = JSON.createParser(data)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidChangeRecordException("the value is not a JSON object");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new InvalidChangeRecordException("the value has trailing content after the JSON object");
            }
        } catch (java.io.IOException e) {
            throw new InvalidChangeRecordException("the value is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String required(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        if (header == null || header.value() == null || header.value().length == 0) {
            throw new InvalidChangeRecordException("missing " + name);
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static void header(Headers headers, String name, String value) {
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
