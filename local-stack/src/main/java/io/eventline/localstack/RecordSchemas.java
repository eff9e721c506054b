package io.eventline.localstack;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * For tests: checks a record's data against the JSON Schema change-feed publishes for its type
 * (resolved from the classpath, never from the network), so the contract cannot drift silently.
 */
public final class RecordSchemas {

    private static final String BASE = "https://eventline.dev/schemas/";
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            b -> b.schemaMappers(m -> m.mapPrefix(BASE, "classpath:schemas/")));
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .formatAssertionsEnabled(true).build();
    private static final ConcurrentHashMap<String, JsonSchema> CACHE = new ConcurrentHashMap<>();

    private RecordSchemas() {
    }

    /** The violations of {@code json} against the schema at {@code /schemas/<name>.json}; empty when valid. */
    public static Set<String> violations(String schemaResource, String json) {
        String name = schemaResource.substring(schemaResource.lastIndexOf('/') + 1);
        JsonSchema schema = CACHE.computeIfAbsent(name, n -> FACTORY.getSchema(SchemaLocation.of(BASE + n), CONFIG));
        return schema.validate(json, InputFormat.JSON).stream().map(ValidationMessage::getMessage)
                .collect(Collectors.toCollection(java.util.TreeSet::new));
    }
}
