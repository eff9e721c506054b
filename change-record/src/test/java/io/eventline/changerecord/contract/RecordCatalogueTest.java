package io.eventline.changerecord.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.eventline.changerecord.RecordTypes;
import io.eventline.changerecord.Topics;

/**
 * The schemas are the one source of record types; the Java catalogue ({@link RecordTypes}) and
 * the AsyncAPI messages ({@code docs/asyncapi.yaml}) must say the same. (The TypeScript types are
 * generated from the schemas and checked by the web build.)
 */
class RecordCatalogueTest {

    static final Path ASYNCAPI = Path.of("../docs/asyncapi.yaml");
    static final String PAYLOAD_PREFIX = "../change-record/src/main/resources/schemas/";

    private final SchemaFiles schemas = new SchemaFiles(SchemaFiles.CURRENT);

    /** type to schema file, as the schemas declare it. */
    private Map<String, String> typesInSchemas() {
        Map<String, String> types = new TreeMap<>();
        schemas.byFile().forEach((file, schema) -> SchemaFiles.recordTypes(schema).forEach(t -> {
            String before = types.put(t, file);
            assertThat(before).as("record type %s is claimed by two schemas", t).isNull();
        }));
        return types;
    }

    @Test
    void everySchemaNamesItselfItsTypesAndItsVersion() {
        schemas.byFile().forEach((file, schema) -> {
            assertThat(schema.path("$id").asText()).as("%s: $id", file)
                    .isEqualTo(RecordTypes.DATASCHEMA_BASE + file);
            assertThat(schema.path("title").asText()).as("%s: title", file).isNotBlank();
            assertThat(SchemaFiles.recordTypes(schema)).as("%s: x-record-types", file).isNotEmpty();
            assertThat(schema.path("x-version").isInt()).as("%s: x-version is an integer", file).isTrue();
        });
    }

    @Test
    void theJavaCatalogueIsTheSchemasTypesWithTheirSchemaAndVersion() {
        Map<String, String> types = typesInSchemas();
        assertThat(RecordTypes.all()).as("RecordTypes.all() against the schemas' x-record-types")
                .containsExactlyInAnyOrderElementsOf(types.keySet());
        types.forEach((type, file) -> {
            assertThat(RecordTypes.schemaOf(type)).as("RecordTypes.schemaOf(%s)", type).isEqualTo("/schemas/" + file);
            assertThat(RecordTypes.versionOf(type)).as("RecordTypes.versionOf(%s) against %s's x-version", type, file)
                    .isEqualTo(SchemaFiles.version(schemas.file(file)));
            assertThat(RecordTypes.dataSchemaOf(type)).as("ce_dataschema of %s", type)
                    .contains(RecordTypes.DATASCHEMA_BASE + type + "/v" + RecordTypes.versionOf(type) + ".json");
        });
    }

    @Test
    void theAsyncApiMessagesAreTheSchemasTypesWithTheSchemaAsPayload() throws IOException {
        JsonNode api = new ObjectMapper(new YAMLFactory()).readTree(ASYNCAPI.toFile());
        Map<String, String> payloads = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        api.path("components").path("messages").properties().forEach(m -> {
            String name = m.getValue().path("name").asText();
            String ref = m.getValue().path("payload").path("$ref").asText();
            if (!ref.startsWith(PAYLOAD_PREFIX)) {
                problems.add(m.getKey() + " (" + name + "): payload must be a $ref to " + PAYLOAD_PREFIX + "<file>, is '"
                        + ref + "'");
            }
            if (payloads.put(name, ref.substring(Math.min(ref.length(), PAYLOAD_PREFIX.length()))) != null) {
                problems.add("two AsyncAPI messages are named " + name);
            }
        });
        assertThat(problems).isEmpty();
        assertThat(payloads).as("AsyncAPI components.messages: name to payload schema").isEqualTo(typesInSchemas());
    }

    @Test
    void everyAsyncApiMessageIsOnOneChannelAndCarriesTheCloudEventHeaders() throws IOException {
        JsonNode api = new ObjectMapper(new YAMLFactory()).readTree(ASYNCAPI.toFile());
        JsonNode messages = api.path("components").path("messages");
        Map<String, String> channelOf = new TreeMap<>();
        api.path("channels").properties().forEach(c -> c.getValue().path("messages").properties().forEach(m -> {
            String ref = m.getValue().path("$ref").asText();
            String key = ref.substring(ref.lastIndexOf('/') + 1);
            assertThat(messages.has(key)).as("channel %s lists %s, which is not a message", c.getKey(), ref).isTrue();
            assertThat(channelOf.put(key, c.getValue().path("address").asText()))
                    .as("message %s is on two channels", key).isNull();
        }));
        assertThat(channelOf.keySet()).as("messages on some channel")
                .containsExactlyInAnyOrderElementsOf(iterable(messages.fieldNames()));
        assertThat(channelOf.values()).as("channel addresses are change topics").allMatch(Topics.ALL::contains);
        JsonNode headers = api.path("components").path("messageTraits").path("cloudEvent").path("headers");
        assertThat(headers.path("properties").has("ce_dataschema")).as("the cloudEvent trait lists ce_dataschema").isTrue();
        messages.properties().forEach(m -> assertThat(m.getValue().path("traits").toString())
                .as("%s uses the cloudEvent trait", m.getKey()).contains("#/components/messageTraits/cloudEvent"));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
