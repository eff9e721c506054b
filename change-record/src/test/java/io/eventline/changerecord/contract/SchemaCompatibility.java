package io.eventline.changerecord.contract;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a consumer of the released schema would trip over in the current one: the breaking
 * changes of docs/change-feed.md ("Changing a record type"), each with the field it is about.
 * Adding an optional field, a type or an enum value is not listed: it is compatible.
 */
final class SchemaCompatibility {

    /** One breaking change: {@code field} is a dotted path ({@code revision.status}, {@code participants[]}). */
    record Break(String field, String what) {
    }

    private final SchemaFiles released;
    private final SchemaFiles current;
    private final List<Break> breaks = new ArrayList<>();

    private SchemaCompatibility(SchemaFiles released, SchemaFiles current) {
        this.released = released;
        this.current = current;
    }

    /** The breaking changes from {@code releasedFile} in {@code released} to {@code currentFile} in {@code current}. */
    static List<Break> breaks(SchemaFiles released, String releasedFile, SchemaFiles current, String currentFile) {
        SchemaCompatibility c = new SchemaCompatibility(released, current);
        c.compare("", releasedFile, released.file(releasedFile), currentFile, current.file(currentFile), 0);
        return c.breaks;
    }

    private void compare(String path, String rFile, JsonNode r, String cFile, JsonNode c, int depth) {
        if (depth > 20) {
            return; // a recursive schema: what is below was compared on the way down
        }
        r = released.resolve(rFile, r);
        c = current.resolve(cFile, c);
        String field = path.isEmpty() ? "(the data)" : path;

        Set<String> rTypes = types(r);
        Set<String> cTypes = types(c);
        if (!rTypes.equals(cTypes)) {
            breaks.add(new Break(field, "type changed from " + rTypes + " to " + cTypes));
            return;
        }
        if (!r.path("format").asText().equals(c.path("format").asText())) {
            breaks.add(new Break(field, "format changed from '" + r.path("format").asText() + "' to '"
                    + c.path("format").asText() + "'"));
        }
        Set<String> rValues = knownValues(r);
        Set<String> cValues = knownValues(c);
        if (rValues != null) {
            Set<String> removed = new TreeSet<>(rValues);
            if (cValues != null) {
                removed.removeAll(cValues);
            } else {
                removed.clear(); // the released enum became any value of its type: nothing a consumer knew is gone
            }
            if (!removed.isEmpty()) {
                breaks.add(new Break(field, "enum value(s) " + removed + " removed"));
            }
        }
        if (cValues != null && !openEnum(c) && (rValues == null || openEnum(r))) {
            breaks.add(new Break(field, "the values became a closed enum"));
        }

        if (r.has("properties") || c.has("properties")) {
            Set<String> rRequired = strings(r.path("required"));
            Set<String> cRequired = strings(c.path("required"));
            for (Iterator<String> it = r.path("properties").fieldNames(); it.hasNext();) {
                String name = it.next();
                String sub = path.isEmpty() ? name : path + "." + name;
                if (!c.path("properties").has(name)) {
                    breaks.add(new Break(sub, "field removed (or renamed)"));
                    continue;
                }
                if (rRequired.contains(name) && !cRequired.contains(name)) {
                    breaks.add(new Break(sub, "field is no longer required: a consumer may miss it"));
                }
                compare(sub, rFile, r.path("properties").get(name), cFile, c.path("properties").get(name), depth + 1);
            }
            for (String name : cRequired) {
                if (!rRequired.contains(name)) {
                    String sub = path.isEmpty() ? name : path + "." + name;
                    breaks.add(new Break(sub, "field became required: records of the released schema lack it"));
                }
            }
            if (!c.path("additionalProperties").asBoolean(true) && r.path("additionalProperties").asBoolean(true)) {
                breaks.add(new Break(field, "closed to fields it does not list (additionalProperties: false)"));
            }
        }
        if (r.has("items") && c.has("items")) {
            compare(path + "[]", rFile, r.get("items"), cFile, c.get("items"), depth + 1);
        }
    }

    /** The JSON types a value may have: from {@code type}, else from the values of {@code enum} / an open enum. */
    private static Set<String> types(JsonNode n) {
        Set<String> types = new TreeSet<>();
        JsonNode t = n.path("type");
        if (t.isTextual()) {
            types.add(t.asText());
        } else if (t.isArray()) {
            t.forEach(x -> types.add(x.asText()));
        } else if (n.has("enum")) {
            n.get("enum").forEach(v -> types.add(v.isTextual() ? "string" : v.isNull() ? "null" : v.getNodeType().name()));
        } else if (n.has("anyOf")) {
            n.get("anyOf").forEach(alt -> types.addAll(types(alt)));
        }
        return types;
    }

    /** The enum's values (a closed {@code enum}, or the known values of an open one), or null when it is not an enum. */
    private static Set<String> knownValues(JsonNode n) {
        if (n.has("enum")) {
            return strings(n.get("enum"));
        }
        if (n.has("anyOf")) {
            Set<String> values = new LinkedHashSet<>();
            n.get("anyOf").forEach(alt -> {
                if (alt.has("enum")) {
                    values.addAll(strings(alt.get("enum")));
                }
            });
            return values.isEmpty() ? null : values;
        }
        return null;
    }

    /** An open enum: {@code anyOf: [{enum: [...]}, {type: string}]}. */
    private static boolean openEnum(JsonNode n) {
        if (!n.has("anyOf")) {
            return false;
        }
        for (JsonNode alt : n.get("anyOf")) {
            if (!alt.has("enum") && alt.has("type")) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new TreeSet<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }
}
