package io.eventline.changerecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * Checks a record's data against the JSON Schema this library publishes for its type (resolved
 * from the classpath, never from the network): the one implementation, for consumers at run time
 * and for producers' tests.
 *
 * <p>Two readings of one schema. The published schema is open, so that adding a field or an enum
 * value breaks no consumer that validates (docs/change-feed.md): {@link #violations} and
 * {@link #publishedViolations} are that reading. A producer is held to more: its records may carry
 * only the fields and the enum values the schema names today, or a new field would ship without
 * first being added to the schema. {@link #strictViolations} is that reading (every object closed,
 * every open enum cut to its known values). Compiled schemas are cached: consumers validate every
 * record.
 */
public final class DataSchemas {

    private static final String BASE = "https://eventline.dev/schemas/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true).build();
    /** Draft 2020-12 plus our two annotations (x-record-types, x-version), which validate nothing. */
    private static final JsonMetaSchema META = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
            .keyword(new NonValidationKeyword("x-record-types")).keyword(new NonValidationKeyword("x-version")).build();
    private static final JsonSchemaFactory PUBLISHED = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.metaSchema(META).schemaLoaders(
                    l -> l.schemas(iri -> iri.startsWith(BASE) ? published(iri.substring(BASE.length())) : null)));
    private static final JsonSchemaFactory STRICT = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.metaSchema(META).schemaLoaders(
                    l -> l.schemas(iri -> iri.startsWith(BASE) ? strict(iri.substring(BASE.length())) : null)));
    private static final ConcurrentHashMap<String, JsonSchema> STRICT_CACHE = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, JsonSchema> PUBLISHED_CACHE = new ConcurrentHashMap<>();

    private DataSchemas() {
    }

    /**
     * The violations of {@code json}, the data of a record of {@code type}, against the published
     * (open) schema of that type, as a validating consumer sees them. Empty when valid.
     *
     * @throws IllegalArgumentException when {@code type} is not an Eventline record type
     */
    public static Set<String> violations(String type, String json) {
        return publishedViolations(RecordTypes.schemaOf(type), json);
    }

    /**
     * Compiles the published schema of every record type now, so that a consumer's first record of
     * each type does not pay for it (hundreds of milliseconds on a cold JVM). Call it at start.
     */
    public static void compileAll() {
        RecordTypes.all().stream().map(RecordTypes::schemaOf).distinct()
                .forEach(schema -> publishedViolations(schema, "{}"));
    }

    /** The violations of {@code json} against the published (open) schema at {@code /schemas/<name>.json}. */
    public static Set<String> publishedViolations(String schemaResource, String json) {
        return validate(PUBLISHED, PUBLISHED_CACHE, schemaResource, json);
    }

    /**
     * The violations of {@code json}, as a producer's record, against the schema at
     * {@code /schemas/<name>.json} read strictly: no field and no enum value it does not name.
     * Empty when valid.
     */
    public static Set<String> strictViolations(String schemaResource, String json) {
        return validate(STRICT, STRICT_CACHE, schemaResource, json);
    }

    private static Set<String> validate(JsonSchemaFactory factory, ConcurrentHashMap<String, JsonSchema> cache,
            String schemaResource, String json) {
        String name = schemaResource.substring(schemaResource.lastIndexOf('/') + 1);
        JsonSchema schema = cache.computeIfAbsent(name, n -> {
            if (read(n) == null) {
                throw new IllegalArgumentException("no schema " + schemaResource + " on the classpath");
            }
            JsonSchema s = factory.getSchema(SchemaLocation.of(BASE + n), CONFIG);
            s.initializeValidators(); // $refs resolved once, here, not lazily by concurrent callers
            return s;
        });
        JsonNode data;
        try {
            data = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return new TreeSet<>(Set.of("not JSON: " + e.getOriginalMessage()));
        }
        return schema.validate(data).stream().map(ValidationMessage::getMessage)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String published(String name) {
        JsonNode schema = read(name);
        return schema == null ? null : schema.toString();
    }

    /** The schema file {@code name} from the classpath, every object closed and every open enum cut to its known values. */
    static String strict(String name) {
        JsonNode schema = read(name);
        if (schema == null) {
            return null;
        }
        close(schema);
        return schema.toString();
    }

    private static JsonNode read(String name) {
        try (InputStream in = DataSchemas.class.getResourceAsStream("/schemas/" + name)) {
            return in == null ? null : JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schemas/" + name, e);
        }
    }

    private static void close(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties") && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
            // An open enum is anyOf [{enum: [known values]}, {type: string}]: keep the known values only.
            JsonNode anyOf = object.get("anyOf");
            if (anyOf != null && anyOf.isArray() && anyOf.size() == 2 && anyOf.get(0).has("enum")
                    && "string".equals(anyOf.get(1).path("type").asText()) && anyOf.get(1).size() == 1) {
                object.set("enum", anyOf.get(0).get("enum"));
                object.remove("anyOf");
            }
        }
        node.forEach(DataSchemas::close);
    }
}
