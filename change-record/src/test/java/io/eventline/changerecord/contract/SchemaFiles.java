package io.eventline.changerecord.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A directory of record schemas, read as trees, with their {@code $ref}s to each other resolved. */
final class SchemaFiles {

    static final Path CURRENT = Path.of("src/main/resources/schemas");
    static final Path RELEASED = Path.of("src/test/resources/compat/released");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Map<String, JsonNode> byFile = new TreeMap<>();

    SchemaFiles(Path dir) {
        this.dir = dir;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                byFile.put(f.getFileName().toString(), JSON.readTree(f.toFile()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path dir() {
        return dir;
    }

    /** File name (e.g. {@code event.json}) to its schema. */
    Map<String, JsonNode> byFile() {
        return byFile;
    }

    JsonNode file(String name) {
        JsonNode n = byFile.get(name);
        if (n == null) {
            throw new IllegalStateException("no schema " + name + " in " + dir);
        }
        return n;
    }

    /** {@code node} itself, or what its {@code $ref} ({@code other.json}, {@code other.json#/ptr}, {@code #/ptr}) points at. */
    JsonNode resolve(String file, JsonNode node) {
        for (int hops = 0; hops < 10 && node.has("$ref"); hops++) {
            String ref = node.get("$ref").asText();
            int hash = ref.indexOf('#');
            String target = hash < 0 ? ref : ref.substring(0, hash);
            String pointer = hash < 0 ? "" : ref.substring(hash + 1);
            JsonNode root = file(target.isEmpty() ? file : target);
            node = pointer.isEmpty() ? root : root.at(pointer);
            if (node.isMissingNode()) {
                throw new IllegalStateException(file + ": $ref " + ref + " points at nothing");
            }
        }
        return node;
    }

    /** The record types a schema declares ({@code x-record-types}). */
    static List<String> recordTypes(JsonNode schema) {
        List<String> types = new ArrayList<>();
        schema.path("x-record-types").forEach(t -> types.add(t.asText()));
        return types;
    }

    /** The schema's major version ({@code x-version}); 1 for a schema from before versions were written down. */
    static int version(JsonNode schema) {
        return schema.path("x-version").asInt(1);
    }
}
