package io.eventline.gateway.openapi;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.eventline.gateway.openapi.ServiceDocuments.Part;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Merges the gateway's own OpenAPI document with the services' into one document of everything a
 * frontend calls on the gateway's origin.
 *
 * <p>From a service it takes the paths under {@code /api/} (what the gateway routes to it), their
 * components and tags. A component whose name another document already uses for something else
 * is renamed {@code <service>.<name>}, and that service's {@code $ref}s (and security requirements,
 * for a security scheme) follow it; an identical one is shared. An operationId already taken gets
 * the service's name in front. A path already described is kept as first described and the
 * service's copy is reported as a conflict. Nothing here fails: what cannot be merged is left out
 * and said in {@code x-eventline-sources}.
 */
final class OpenApiMerge {

    static final String SOURCES = "x-eventline-sources";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private OpenApiMerge() {
    }

    static JsonObject merge(JsonObject own, List<Part> parts) {
        JsonObject out = own.copy();
        out.remove("servers"); // every path is relative to the gateway's origin
        JsonArray sources = new JsonArray().add(new JsonObject().put("name", "gateway").put("included", true));
        List<String> missing = new ArrayList<>();
        for (Part part : parts) {
            JsonObject source = new JsonObject().put("name", part.service());
            sources.add(source);
            if (part.document() == null) {
                source.put("included", false).put("error", part.error());
                missing.add(part.service() + " (" + part.error() + ")");
                continue;
            }
            JsonObject merged = out.copy();
            JsonArray conflicts;
            try {
                conflicts = add(part.service(), part.document().copy(), merged);
            } catch (RuntimeException e) { // a document of a shape we do not know: leave it out, say so
                source.put("included", false).put("error", "its document could not be merged: " + e);
                missing.add(part.service() + " (its document could not be merged)");
                continue;
            }
            out = merged;
            source.put("included", true).put("fetchedAt", part.fetchedAt().toString());
            if (part.error() != null) {
                source.put("lastRefreshError", part.error()); // served from the copy fetched at fetchedAt
            }
            if (!conflicts.isEmpty()) {
                source.put("pathsAlreadyDescribed", conflicts);
            }
        }
        JsonObject info = object(out, "info");
        info.put("title", "Eventline API");
        info.put("description", "Everything a frontend calls on the gateway's origin: the gateway's own endpoints "
                + "(the live stream GET /api/stream, its tickets, /api/me/summary) and the services' behind /api/**, "
                + "merged from their own OpenAPI documents. The conventions (tokens, problem+json, ETags, "
                + "Idempotency-Key, pagination, limits) are in docs/api.md. "
                + (missing.isEmpty() ? "Every part is included."
                        : "Missing now, because their service did not answer: " + String.join(", ", missing)
                                + "; the document is complete once they are back."));
        out.put(SOURCES, sources);
        return out;
    }

    /** Adds one service's document; returns the paths it describes that were already described. */
    private static JsonArray add(String service, JsonObject doc, JsonObject out) {
        JsonObject paths = object(out, "paths");
        JsonObject components = object(out, "components");
        JsonArray tags = array(out, "tags");
        Set<String> operationIds = new HashSet<>();
        forEachOperation(paths, op -> {
            if (op.getValue("operationId") instanceof String id) {
                operationIds.add(id);
            }
        });
        JsonObject theirs = doc.getJsonObject("components", new JsonObject());
        // Renames until none is new: a component that refers to a renamed one differs once rewritten.
        Map<String, String> refs = new HashMap<>();
        Map<String, String> schemes = new HashMap<>();
        for (int round = 0; round <= size(theirs); round++) {
            JsonObject rewritten = rewrite(theirs.copy(), refs, schemes);
            boolean renamed = false;
            for (String kind : rewritten.fieldNames()) {
                JsonObject mine = components.getJsonObject(kind, new JsonObject());
                for (String name : rewritten.getJsonObject(kind).fieldNames()) {
                    String ref = "#/components/" + kind + "/" + name;
                    Object existing = mine.getValue(name);
                    if (!refs.containsKey(ref) && existing != null && !existing.equals(rewritten.getJsonObject(kind).getValue(name))) {
                        refs.put(ref, "#/components/" + kind + "/" + service + "." + name);
                        if (kind.equals("securitySchemes")) {
                            schemes.put(name, service + "." + name);
                        }
                        renamed = true;
                    }
                }
            }
            if (!renamed) {
                break;
            }
        }
        rewrite(doc, refs, schemes);
        JsonObject rewritten = doc.getJsonObject("components", new JsonObject());
        for (String kind : rewritten.fieldNames()) {
            JsonObject mine = object(components, kind);
            for (String name : rewritten.getJsonObject(kind).fieldNames()) {
                String target = refs.getOrDefault("#/components/" + kind + "/" + name, "#/components/" + kind + "/" + name);
                mine.put(target.substring(target.lastIndexOf('/') + 1), rewritten.getJsonObject(kind).getValue(name));
            }
        }
        JsonArray globalSecurity = doc.getJsonArray("security");
        JsonArray conflicts = new JsonArray();
        JsonObject theirPaths = doc.getJsonObject("paths", new JsonObject());
        for (String path : theirPaths.fieldNames()) {
            if (!path.startsWith("/api/")) {
                continue; // not routed by the gateway
            }
            if (paths.containsKey(path)) {
                conflicts.add(path);
                continue;
            }
            JsonObject item = theirPaths.getJsonObject(path);
            forEachOperation(new JsonObject().put(path, item), op -> {
                if (globalSecurity != null && !op.containsKey("security")) {
                    op.put("security", globalSecurity.copy());
                }
                if (op.getValue("operationId") instanceof String id && !operationIds.add(id)) {
                    String unique = service.replace('-', '_') + "_" + id;
                    op.put("operationId", unique);
                    operationIds.add(unique);
                }
            });
            paths.put(path, item);
        }
        Set<String> known = new HashSet<>();
        tags.forEach(t -> known.add(t instanceof JsonObject o ? o.getString("name") : null));
        doc.getJsonArray("tags", new JsonArray()).forEach(t -> {
            if (t instanceof JsonObject o && known.add(o.getString("name"))) {
                tags.add(o);
            }
        });
        return conflicts;
    }

    /** Points every {@code $ref} in {@code refs} and every security requirement in {@code schemes} at its new name, in place. */
    private static JsonObject rewrite(JsonObject node, Map<String, String> refs, Map<String, String> schemes) {
        for (String key : List.copyOf(node.fieldNames())) {
            Object value = node.getValue(key);
            if (key.equals("$ref") && value instanceof String ref && refs.containsKey(ref)) {
                node.put(key, refs.get(ref));
            } else if (key.equals("security") && value instanceof JsonArray requirements && !schemes.isEmpty()) {
                for (int i = 0; i < requirements.size(); i++) {
                    if (requirements.getValue(i) instanceof JsonObject requirement) {
                        JsonObject renamed = new JsonObject();
                        requirement.forEach(e -> renamed.put(schemes.getOrDefault(e.getKey(), e.getKey()), e.getValue()));
                        requirements.set(i, renamed);
                    }
                }
            } else {
                rewriteValue(value, refs, schemes);
            }
        }
        return node;
    }

    private static void rewriteValue(Object value, Map<String, String> refs, Map<String, String> schemes) {
        if (value instanceof JsonObject o) {
            rewrite(o, refs, schemes);
        } else if (value instanceof JsonArray a) {
            a.forEach(v -> rewriteValue(v, refs, schemes));
        }
    }

    private static void forEachOperation(JsonObject paths, java.util.function.Consumer<JsonObject> action) {
        for (String path : paths.fieldNames()) {
            if (paths.getValue(path) instanceof JsonObject item) {
                for (String method : item.fieldNames()) {
                    if (METHODS.contains(method) && item.getValue(method) instanceof JsonObject op) {
                        action.accept(op);
                    }
                }
            }
        }
    }

    private static int size(JsonObject components) {
        int n = 0;
        for (String kind : components.fieldNames()) {
            n += components.getValue(kind) instanceof JsonObject o ? o.size() : 0;
        }
        return n;
    }

    private static JsonObject object(JsonObject parent, String key) {
        if (!(parent.getValue(key) instanceof JsonObject)) {
            parent.put(key, new JsonObject());
        }
        return parent.getJsonObject(key);
    }

    private static JsonArray array(JsonObject parent, String key) {
        if (!(parent.getValue(key) instanceof JsonArray)) {
            parent.put(key, new JsonArray());
        }
        return parent.getJsonArray(key);
    }
}
