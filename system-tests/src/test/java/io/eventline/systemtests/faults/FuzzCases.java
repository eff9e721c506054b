package io.eventline.systemtests.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Scenario 9's generator: the operations of the services' OpenAPI documents and, for each, bad
 * requests made from what the document says about it (its request schema, parameters and path),
 * as raw bytes so that anything can be sent: wrong JSON types, nulls, missing and unknown fields,
 * sizes around and over the limits, unicode edge cases and invalid UTF-8, huge numbers, absurd
 * dates, deep and broken JSON, wrong media types, header abuse, bad ids and query parameters,
 * wrong methods and unknown routes, and seeded random mutations. All randomness comes from one
 * {@link Random}, so a seed replays the same cases.
 */
final class FuzzCases {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "options", "head", "trace");
    /** The methods a path is tried with when the document does not define them there. */
    private static final List<String> OTHER_METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
            "FUZZ");
    static final int OVER_BODY_LIMIT = 70_000;

    private FuzzCases() {
    }

    // The model.

    /** One operation of an OpenAPI document. {@code body} is null when it takes no request body. */
    record Op(String source, String method, String path, List<Param> params, List<Prop> body, Set<String> pathMethods,
            List<String> roles) {
        String label() {
            return method + " " + path;
        }

        boolean hasBody() {
            return body != null;
        }

        boolean hasId() {
            return path.contains("{");
        }

        List<Param> in(String where) {
            return params.stream().filter(p -> p.in().equals(where)).toList();
        }

        boolean declaresHeader(String name) {
            return in("header").stream().anyMatch(p -> p.name().equalsIgnoreCase(name));
        }
    }

    record Param(String name, String in, boolean required) {
    }

    /** A property of a request body's schema, with the constraints the document gives. */
    record Prop(String name, String type, String format, Integer minLength, Integer maxLength, BigDecimal minimum,
            BigDecimal maximum, boolean required, Prop items, Integer minItems, Integer maxItems) {
        boolean isDate() {
            return "string".equals(type) && "date-time".equals(format);
        }

        boolean isUuid() {
            return "string".equals(type) && "uuid".equals(format);
        }

        boolean isText() {
            return "string".equals(type) && !isDate() && !isUuid();
        }

        boolean isInteger() {
            return "integer".equals(type) || "number".equals(type);
        }

        int max() {
            return maxLength != null ? maxLength : 200;
        }
    }

    /** What a path id is made of: the fixture the case acts on (its id and, for If-Match, its version). */
    record Fixture(String id, long version) {
    }

    /** One generated request. Defaults (body, Content-Type, If-Match) are the operation's valid ones. */
    static final class Case {
        final Op op;
        final String category;
        final String name;
        String method;
        /** A path other than the operation's (route cases); {id} is still replaced. */
        String path;
        /** The path id from the fixture's id; null: the fixture's id itself. */
        Function<String, String> id;
        /** The query string, raw (bytes as ISO-8859-1 characters), without '?'. */
        String query;
        final List<String[]> headers = new ArrayList<>();
        /** Default headers left out, lower case: content-type, if-match. */
        final Set<String> omit = new HashSet<>();
        byte[] body;
        boolean chunked;
        boolean control;

        Case(Op op, String category, String name) {
            this.op = op;
            this.category = category;
            this.name = name;
        }

        String method() {
            return method != null ? method : op.method();
        }

        boolean mutating() {
            return !Set.of("GET", "HEAD", "OPTIONS", "TRACE").contains(method().toUpperCase(Locale.ROOT));
        }

        Case header(String name, String value) {
            headers.add(new String[] { name, value });
            return this;
        }

        Case body(byte[] bytes) {
            this.body = bytes;
            return this;
        }

        Case contentType(String value) {
            omit.add("content-type");
            return value == null ? this : header("Content-Type", value);
        }

        /** The request target: the path with its id, then the query. */
        String target(Fixture f) {
            String template = path != null ? path : op.path();
            StringBuilder t = new StringBuilder();
            int i = 0;
            while (i < template.length()) {
                int open = template.indexOf('{', i);
                if (open < 0) {
                    t.append(template, i, template.length());
                    break;
                }
                int close = template.indexOf('}', open);
                t.append(template, i, open);
                String fixture = f == null || f.id() == null ? UUID.randomUUID().toString() : f.id();
                t.append(id != null ? id.apply(fixture) : fixture);
                i = close + 1;
            }
            if (query != null) {
                t.append('?').append(query);
            }
            return t.toString();
        }

        /** The whole request as bytes: Connection: close, a correct Content-Length or chunked framing. */
        byte[] request(Fixture f, String token, String host) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            line(out, method() + " " + target(f) + " HTTP/1.1");
            line(out, "Host: " + host);
            line(out, "Authorization: Bearer " + token);
            boolean hasContentType = headers.stream().anyMatch(h -> h[0].equalsIgnoreCase("Content-Type"));
            if (body != null && !hasContentType && !omit.contains("content-type")) {
                line(out, "Content-Type: application/json");
            }
            boolean hasIfMatch = headers.stream().anyMatch(h -> h[0].equalsIgnoreCase("If-Match"));
            if (!hasIfMatch && !omit.contains("if-match") && op.declaresHeader("If-Match") && f != null) {
                line(out, "If-Match: \"" + f.version() + "\"");
            }
            for (String[] h : headers) {
                line(out, h[0] + ": " + h[1]);
            }
            line(out, "Connection: close");
            if (body != null && chunked) {
                line(out, "Transfer-Encoding: chunked");
            } else if (body != null) {
                line(out, "Content-Length: " + body.length);
            } else if (mutating()) {
                line(out, "Content-Length: 0");
            }
            line(out, "");
            if (body != null && chunked) {
                for (int at = 0; at < body.length; at += 8192) {
                    int n = Math.min(8192, body.length - at);
                    line(out, Integer.toHexString(n));
                    out.write(body, at, n);
                    line(out, "");
                }
                line(out, "0");
                line(out, "");
            } else if (body != null) {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }

        private static void line(ByteArrayOutputStream out, String s) {
            out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(new byte[] { '\r', '\n' });
        }
    }

    // Reading the documents.

    /** The operations under /api/ of one OpenAPI document (3.0 or 3.1, as JSON). */
    static List<Op> operations(String source, JsonObject doc) {
        JsonObject schemas = doc.getJsonObject("components", new JsonObject()).getJsonObject("schemas", new JsonObject());
        JsonObject paths = doc.getJsonObject("paths", new JsonObject());
        List<Op> ops = new ArrayList<>();
        for (String path : new TreeSet<>(paths.fieldNames())) {
            if (!path.startsWith("/api/") || path.equals("/api/stream")) {
                continue; // the stream is long-lived: scenario 10 abuses it
            }
            JsonObject item = paths.getJsonObject(path);
            Set<String> methods = new TreeSet<>();
            for (String m : item.fieldNames()) {
                if (METHODS.contains(m.toLowerCase(Locale.ROOT))) {
                    methods.add(m.toUpperCase(Locale.ROOT));
                }
            }
            for (String m : methods) {
                JsonObject op = item.getJsonObject(m.toLowerCase(Locale.ROOT));
                List<Param> params = new ArrayList<>();
                addParams(params, item.getJsonArray("parameters"));
                addParams(params, op.getJsonArray("parameters"));
                List<Prop> body = null;
                JsonObject requestBody = op.getJsonObject("requestBody");
                if (requestBody != null) {
                    JsonObject content = requestBody.getJsonObject("content", new JsonObject());
                    String media = content.containsKey("application/json") ? "application/json"
                            : content.fieldNames().stream().findFirst().orElse(null);
                    JsonObject schema = media == null ? new JsonObject()
                            : content.getJsonObject(media).getJsonObject("schema", new JsonObject());
                    body = props(resolve(schema, schemas, 0), schemas);
                }
                ops.add(new Op(source, m, path, List.copyOf(params), body, Set.copyOf(methods), roles(op)));
            }
        }
        return ops;
    }

    private static void addParams(List<Param> params, JsonArray array) {
        if (array == null) {
            return;
        }
        for (Object o : array) {
            if (o instanceof JsonObject p && p.getString("name") != null && p.getString("in") != null) {
                params.removeIf(q -> q.name().equals(p.getString("name")) && q.in().equals(p.getString("in")));
                params.add(new Param(p.getString("name"), p.getString("in"), p.getBoolean("required", false)));
            }
        }
    }

    /** The roles the document's security requirement names (empty: any authenticated caller). */
    private static List<String> roles(JsonObject op) {
        JsonArray security = op.getJsonArray("security");
        if (security == null || security.isEmpty() || !(security.getValue(0) instanceof JsonObject first)
                || first.isEmpty()) {
            return List.of();
        }
        Object scopes = first.getValue(first.fieldNames().iterator().next());
        List<String> roles = new ArrayList<>();
        if (scopes instanceof JsonArray a) {
            a.forEach(r -> roles.add(String.valueOf(r)));
        }
        return List.copyOf(roles);
    }

    /** The schema with {@code $ref} and {@code allOf} replaced by what they name (bounded depth). */
    private static JsonObject resolve(JsonObject schema, JsonObject schemas, int depth) {
        if (schema == null || depth > 10) {
            return new JsonObject();
        }
        JsonObject out = new JsonObject();
        String ref = schema.getString("$ref");
        if (ref != null) {
            out.mergeIn(resolve(schemas.getJsonObject(ref.substring(ref.lastIndexOf('/') + 1)), schemas, depth + 1));
        }
        JsonArray allOf = schema.getJsonArray("allOf");
        if (allOf != null) {
            for (Object part : allOf) {
                if (part instanceof JsonObject p) {
                    out.mergeIn(resolve(p, schemas, depth + 1));
                }
            }
        }
        for (String field : schema.fieldNames()) {
            if (!field.equals("$ref") && !field.equals("allOf")) {
                out.put(field, schema.getValue(field));
            }
        }
        return out;
    }

    private static List<Prop> props(JsonObject schema, JsonObject schemas) {
        JsonObject properties = schema.getJsonObject("properties", new JsonObject());
        Set<String> required = new HashSet<>();
        schema.getJsonArray("required", new JsonArray()).forEach(r -> required.add(String.valueOf(r)));
        List<Prop> props = new ArrayList<>();
        for (String name : properties.fieldNames()) {
            props.add(prop(name, resolve(properties.getJsonObject(name), schemas, 0), required.contains(name), schemas));
        }
        return props;
    }

    private static Prop prop(String name, JsonObject s, boolean required, JsonObject schemas) {
        String type = typeOf(s);
        Prop items = null;
        if ("array".equals(type)) {
            items = prop(name + "[0]", resolve(s.getJsonObject("items", new JsonObject()), schemas, 0), true, schemas);
        }
        return new Prop(name, type, s.getString("format"), integer(s, "minLength"), integer(s, "maxLength"),
                decimal(s, "minimum"), decimal(s, "maximum"), required, items, integer(s, "minItems"),
                integer(s, "maxItems"));
    }

    private static String typeOf(JsonObject s) {
        Object type = s.getValue("type");
        if (type instanceof String t) {
            return t;
        }
        if (type instanceof JsonArray a) {
            for (Object t : a) {
                if (!"null".equals(t)) {
                    return String.valueOf(t);
                }
            }
        }
        return s.containsKey("properties") ? "object" : s.containsKey("items") ? "array" : "string";
    }

    private static Integer integer(JsonObject s, String field) {
        return s.getValue(field) instanceof Number n ? n.intValue() : null;
    }

    private static BigDecimal decimal(JsonObject s, String field) {
        return s.getValue(field) instanceof Number n ? new BigDecimal(n.toString()) : null;
    }

    // Generating.

    /**
     * The cases every run sends where they apply, whatever the seed: the inputs most likely to get
     * past validation into the database or the HTTP layer (NUL in text, a date PostgreSQL cannot
     * hold, a trace state longer than the column that keeps it, a cursor for a time PostgreSQL
     * cannot hold, an oversized chunked body, a malformed escape in the path).
     */
    private static final List<java.util.function.Predicate<Case>> PRIORITY = List.of(
            c -> c.category.equals("unicode") && c.name.endsWith(": NUL inside"),
            c -> c.category.equals("date") && c.name.endsWith(" = +294277-01-01T00:00:00Z"),
            c -> c.category.equals("trace") && c.name.contains("32 members") && c.mutating(),
            c -> c.category.equals("query") && c.name.startsWith("cursor for a time before year -4713"),
            c -> c.category.equals("body") && c.chunked && c.name.startsWith("70 000"),
            c -> c.category.equals("path") && c.name.equals("id: a malformed escape"));

    /**
     * {@code budget} cases for {@code op}: its valid request (the control) first, then the
     * {@link #PRIORITY} cases that apply, then picks taken in turn from each category (in an order the
     * seed shuffles), random mutations included, so that even a small budget touches every kind of
     * bad input.
     */
    static List<Case> generate(Op op, int budget, Random rnd) {
        Gen g = new Gen(op, rnd);
        g.all();
        List<Case> cases = new ArrayList<>();
        Case control = g.add("control", "the valid request");
        control.control = true;
        g.byCategory.remove("control");
        cases.add(control);
        for (java.util.function.Predicate<Case> wanted : PRIORITY) {
            for (List<Case> pool : g.byCategory.values()) {
                Case found = pool.stream().filter(wanted).findFirst().orElse(null);
                if (found != null && cases.size() < budget / 2) {
                    pool.remove(found);
                    cases.add(found);
                    break;
                }
            }
        }
        List<String> order = new ArrayList<>(g.byCategory.keySet());
        order.add("random");
        Collections.shuffle(order, rnd);
        int randoms = 0;
        while (cases.size() < budget) {
            for (String category : order) {
                if (cases.size() >= budget) {
                    break;
                }
                if (category.equals("random")) {
                    cases.add(g.random(++randoms));
                    continue;
                }
                List<Case> pool = g.byCategory.get(category);
                if (!pool.isEmpty()) {
                    cases.add(pool.remove(rnd.nextInt(pool.size())));
                }
            }
        }
        return cases;
    }

    /** The candidates of one operation, by category. */
    private static final class Gen {
        final Op op;
        final Random rnd;
        final Map<String, Object> base;
        final byte[] baseBytes;
        final Map<String, List<Case>> byCategory = new LinkedHashMap<>();

        Gen(Op op, Random rnd) {
            this.op = op;
            this.rnd = rnd;
            this.base = op.hasBody() ? validBody(op.body(), rnd) : null;
            this.baseBytes = base == null ? null : json(base);
        }

        Case add(String category, String name) {
            Case c = new Case(op, category, name);
            c.body = baseBytes;
            byCategory.computeIfAbsent(category, k -> new ArrayList<>()).add(c);
            return c;
        }

        /** A case whose body is the valid one with {@code prop} set to {@code value} (REMOVE: left out). */
        Case with(String category, String name, String prop, Object value) {
            Map<String, Object> body = new LinkedHashMap<>(base);
            if (value == REMOVE) {
                body.remove(prop);
            } else {
                body.put(prop, value);
            }
            return add(category, name).body(json(body));
        }

        void all() {
            if (op.hasBody()) {
                for (Prop p : op.body()) {
                    propertyCases(p);
                }
                wholeBodyCases();
                mediaCases();
            } else {
                bodyWhereNoneIsExpected();
            }
            headerCases();
            traceCases();
            if (op.hasId()) {
                pathCases();
            }
            queryCases();
            methodCases();
            routeCases();
        }

        void propertyCases(Prop p) {
            String n = p.name();
            for (Object[] wrong : wrongTypes(p)) {
                with("type", n + " as " + wrong[0], n, wrong[1]);
            }
            with("null", n + " null", n, null);
            if (p.required()) {
                with("missing", n + " missing", n, REMOVE);
            }
            if (p.isText()) {
                with("size", n + " empty", n, "");
                with("size", n + " blank", n, "   ");
                with("size", n + " 1 char", n, "x");
                with("size", n + " " + p.max() + " chars (the limit)", n, "a".repeat(p.max()));
                with("size", n + " " + (p.max() + 1) + " chars (one over)", n, "a".repeat(p.max() + 1));
                with("size", n + " 70 000 chars (body over 64 KiB)", n, "a".repeat(OVER_BODY_LIMIT));
                for (Object[] u : unicode(p.max())) {
                    with("unicode", n + ": " + u[0], n, u[1]);
                }
            }
            if (p.isInteger()) {
                for (Object[] num : numbers(p)) {
                    with("number", n + " = " + num[0], n, num[1]);
                }
            }
            if (p.isDate()) {
                for (String d : DATES) {
                    with("date", n + " = " + d, n, d);
                }
                with("date", n + " empty", n, "");
                with("date", n + " 70 000 chars", n, "2".repeat(OVER_BODY_LIMIT));
                with("date", n + " with NUL", n, "2027-03-01T19:00:00Z\u0000");
                with("date", n + " fullwidth digits", n, "２０２７-０３-０１T19:00:00Z");
            }
            if (p.isUuid()) {
                UUID u = uuid(rnd);
                for (Object[] f : new Object[][] { { "not a UUID", "not-a-uuid" }, { "empty", "" },
                        { "nil UUID", "00000000-0000-0000-0000-000000000000" }, { "upper case", u.toString().toUpperCase() },
                        { "in braces", "{" + u + "}" }, { "without hyphens", u.toString().replace("-", "") },
                        { "36 chars, not hex", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz" }, { "1 000 chars", "a".repeat(1000) },
                        { "with NUL", u + "\u0000" }, { "lone surrogate", u + "\uD800" } }) {
                    with("format", n + " " + f[0], n, f[1]);
                }
            }
            if ("array".equals(p.type())) {
                Prop item = p.items();
                int maxItems = p.maxItems() != null ? p.maxItems() : 100;
                with("size", n + " empty array", n, List.of());
                with("size", n + " " + maxItems + " items (the limit)", n, distinct(maxItems));
                with("size", n + " " + (maxItems + 1) + " items (one over)", n, distinct(maxItems + 1));
                with("size", n + " 1 500 items", n, distinct(1500));
                with("size", n + " the same item twice", n, List.of("fuzz-twin", "fuzz-twin"));
                if (item != null && item.isText()) {
                    with("size", n + " item empty", n, List.of(""));
                    with("size", n + " item blank", n, List.of("   "));
                    with("size", n + " item " + (item.max() + 1) + " chars", n, List.of("a".repeat(item.max() + 1)));
                    with("size", n + " item with a comma", n, List.of("a,b"));
                    with("size", n + " item with a space", n, List.of("a b"));
                    for (Object[] u : unicode(item.max())) {
                        with("unicode", n + " item: " + u[0], n, List.of(u[1]));
                    }
                }
            }
        }

        void wholeBodyCases() {
            String first = op.body().isEmpty() ? "x" : op.body().get(0).name();
            String text = new String(baseBytes, StandardCharsets.UTF_8);
            add("extra", "an unknown field").body(json(plus(base, "zzz", 1)));
            add("extra", "an id field").body(json(plus(base, "id", uuid(rnd).toString())));
            add("extra", "someone else as owner (partnerId)").body(json(plus(base, "partnerId", "someone-else")));
            add("extra", "a userId field").body(json(plus(base, "userId", "someone-else")));
            add("extra", "a status field").body(json(plus(base, "status", "APPROVED")));
            add("extra", "a version field").body(json(plus(base, "version", 99)));
            add("extra", "__proto__").body(json(plus(base, "__proto__", Map.of("admin", true))));
            add("extra", "2 000 unknown fields").body(json(manyFields(base, 2000)));
            add("extra", "a field name in another case").body(json(plus(base, capitalise(first), "x")));
            add("extra", "an empty field name").body(json(plus(base, "", 1)));
            add("extra", "a field name with NUL").body(json(plus(base, first + "\u0000", 1)));
            add("extra", "the first field twice").body(json(new Pairs(base, first, base.get(first))));
            structureCases(text);
            add("body", "70 000-byte body (over 64 KiB)").body(json(plus(base, "pad", "a".repeat(OVER_BODY_LIMIT))));
            Case chunked = add("body", "70 000-byte body, chunked (no Content-Length)")
                    .body(json(plus(base, "pad", "a".repeat(OVER_BODY_LIMIT))));
            chunked.chunked = true;
            Case chunkedValid = add("body", "the valid body, chunked");
            chunkedValid.chunked = true;
            add("body", "UTF-8 BOM before the JSON").body(concat(new byte[] { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF }, baseBytes));
            add("body", "UTF-16LE").body(text.getBytes(StandardCharsets.UTF_16LE));
            add("body", "UTF-16 with BOM").body(text.getBytes(StandardCharsets.UTF_16));
            add("body", "UTF-32").body(text.getBytes(Charset.forName("UTF-32")));
            add("body", "NUL bytes after the JSON").body(concat(baseBytes, new byte[] { 0, 0, 0 }));
        }

        void structureCases(String text) {
            String[][] bodies = {
                    { "empty body", "" }, { "whitespace only", "  \n\t " }, { "JSON null", "null" },
                    { "top-level empty array", "[]" }, { "top-level array of the valid body", "[" + text + "]" },
                    { "top-level string", "\"fuzz\"" }, { "top-level number", "42" }, { "top-level true", "true" },
                    { "empty object", "{}" }, { "truncated to its first half", text.substring(0, text.length() / 2) },
                    { "last byte missing", text.substring(0, text.length() - 1) }, { "only {", "{" },
                    { "trailing comma", text.substring(0, text.length() - 1) + ",}" },
                    { "single quotes", text.replace('"', '\'') }, { "a comment", "/* fuzz */" + text },
                    { "trailing garbage", text + " xyz" }, { "two documents", text + text },
                    { "unquoted field names", text.replaceAll("\"([A-Za-z]+)\":", "$1:") },
                    { "5 000 unclosed [", "[".repeat(5000) }, { "5 000 nested arrays", "[".repeat(5000) + "]".repeat(5000) },
                    { "5 000 nested objects", "{\"a\":".repeat(5000) + "1" + "}".repeat(5000) },
                    { "20 000 unclosed [", "[".repeat(20_000) },
            };
            for (String[] b : bodies) {
                add("body", b[0]).body(b[1].getBytes(StandardCharsets.UTF_8));
            }
            String first = op.body().isEmpty() ? "x" : op.body().get(0).name();
            add("body", "5 000 nested arrays as " + first).body(json(plus(base, first,
                    new Lit("[".repeat(5000) + "]".repeat(5000)))));
            add("body", "5 000 nested objects as " + first).body(json(plus(base, first,
                    new Lit("{\"a\":".repeat(5000) + "1" + "}".repeat(5000)))));
        }

        void mediaCases() {
            String text = new String(baseBytes, StandardCharsets.UTF_8);
            add("media", "text/plain").contentType("text/plain");
            add("media", "application/xml, an XML body").contentType("application/xml")
                    .body("<event><title>fuzz</title></event>".getBytes(StandardCharsets.UTF_8));
            add("media", "a form").contentType("application/x-www-form-urlencoded")
                    .body("title=fuzz&venue=fuzz&seats=1".getBytes(StandardCharsets.UTF_8));
            add("media", "multipart").contentType("multipart/form-data; boundary=fuzz").body(
                    "--fuzz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--fuzz--\r\n".getBytes(StandardCharsets.UTF_8));
            add("media", "no Content-Type").contentType(null);
            add("media", "charset=iso-8859-1 with a Latin-1 byte").contentType("application/json; charset=iso-8859-1")
                    .body(latin1Body());
            add("media", "charset=utf-16 on a UTF-8 body").contentType("application/json; charset=utf-16");
            add("media", "charset=nonsense").contentType("application/json; charset=nonsense");
            add("media", "application/json;;;").contentType("application/json;;;");
            add("media", "application/ (no subtype)").contentType("application/");
            add("media", "json (no type)").contentType("json");
            add("media", "*/*").contentType("*/*");
            add("media", "application/*").contentType("application/*");
            add("media", "a list of two types").contentType("application/json, text/plain");
            add("media", "Content-Type twice: json, then text/plain").contentType("application/json")
                    .header("Content-Type", "text/plain");
            add("media", "Content-Type twice: text/plain, then json").contentType("text/plain")
                    .header("Content-Type", "application/json");
            add("media", "APPLICATION/JSON").contentType("APPLICATION/JSON");
            add("media", "application/merge-patch+json").contentType("application/merge-patch+json");
            add("media", "application/problem+json").contentType("application/problem+json");
            add("media", "an 8 000-char parameter").contentType("application/json; x=" + "a".repeat(8000));
            add("media", "Content-Encoding: gzip on a plain body").header("Content-Encoding", "gzip");
            add("media", "Content-Encoding: gzip, gzipped").header("Content-Encoding", "gzip").body(gzip(baseBytes));
            add("media", "Content-Encoding: br").header("Content-Encoding", "br");
            add("media", "the valid body as text").contentType("text/plain; charset=utf-8")
                    .body(text.getBytes(StandardCharsets.UTF_8));
        }

        private byte[] latin1Body() {
            Prop text = op.body().stream().filter(Prop::isText).findFirst().orElse(null);
            if (text == null) {
                return concat(baseBytes, new byte[] { (byte) 0xE9 });
            }
            Map<String, Object> body = new LinkedHashMap<>(base);
            body.put(text.name(), raw("caf", 0xE9));
            return json(body);
        }

        void bodyWhereNoneIsExpected() {
            add("body", "a JSON body where none is expected").body(json(Map.of("a", 1)));
            add("body", "garbage bytes").body(randomBytes(200));
            add("body", "70 000-byte body (over 64 KiB)").body(json(Map.of("pad", "a".repeat(OVER_BODY_LIMIT))));
            Case chunked = add("body", "70 000-byte body, chunked").body(json(Map.of("pad", "a".repeat(OVER_BODY_LIMIT))));
            chunked.chunked = true;
            add("body", "5 000 unclosed [").body("[".repeat(5000).getBytes(StandardCharsets.US_ASCII));
            add("body", "invalid UTF-8").body(new byte[] { '"', (byte) 0xC3, 0x28, (byte) 0xFF, '"' });
            add("media", "text/plain body").contentType("text/plain").body("fuzz".getBytes(StandardCharsets.US_ASCII));
            add("media", "application/xml body").contentType("application/xml")
                    .body("<a/>".getBytes(StandardCharsets.US_ASCII));
            add("media", "a Content-Type garbage, no body").header("Content-Type", "garbage///");
            add("media", "Content-Encoding: gzip, no body").header("Content-Encoding", "gzip");
        }

        void headerCases() {
            String[][] values = {
                    { "If-Match", "garbage" }, { "If-Match", "" }, { "If-Match", "*" }, { "If-Match", "W/\"x\"" },
                    { "If-Match", "W/\"0\"" }, { "If-Match", "\"0\", \"1\"" }, { "If-Match", "\"" + "9".repeat(8000) + "\"" },
                    { "If-Match", "\"99999999999999999999\"" }, { "If-Match", "\"-1\"" }, { "If-Match", "0" },
                    { "If-Match", "\"\"" }, { "If-Match", "\"1e3\"" },
                    { "If-None-Match", "garbage" }, { "If-None-Match", "*" }, { "If-None-Match", "W/\"x\"" },
                    { "If-None-Match", "\"" + "x".repeat(8000) + "\"" }, { "If-None-Match", tags(500) },
                    { "If-None-Match", "\"\"" }, { "If-None-Match", "\"" }, { "If-Modified-Since", "garbage" },
                    { "If-Unmodified-Since", "yesterday" }, { "If-Range", "x" },
                    { "Idempotency-Key", "k".repeat(5000) }, { "Idempotency-Key", alnum(200) },
                    { "Idempotency-Key", alnum(201) }, { "Idempotency-Key", "" }, { "Idempotency-Key", " " },
                    { "Idempotency-Key", "a\u0001b" }, { "Idempotency-Key", "a\u0000b" }, { "Idempotency-Key", "a\u007fb" },
                    { "Idempotency-Key", "a\tb" }, { "Idempotency-Key", latin1("clé-🎉-" + alnum(8)) },
                    { "Accept", "text/html" }, { "Accept", "application/xml" }, { "Accept", "garbage///" },
                    { "Accept", "application/json;q=0" }, { "Accept", "*/*;q=abc" }, { "Accept", "text/event-stream" },
                    { "Accept-Charset", "nonsense" }, { "Accept-Language", "zz-ZZ;q=2" },
                    { "traceparent", "garbage" }, { "traceparent", "00-" + "0".repeat(32) + "-" + "0".repeat(16) + "-01" },
                    { "traceparent", "ff-" + "f".repeat(32) + "-" + "f".repeat(16) + "-ff" },
                    { "tracestate", "a=" + "b".repeat(8000) },
                    { "X-Forwarded-For", "garbage, ::1, 999.999.999.999" }, { "Forwarded", "for=\"[::1\";proto=gopher" },
                    { "X-Forwarded-Proto", "gopher" }, { "X-Forwarded-Host", "evil.example" },
                    { "X-HTTP-Method-Override", "DELETE" }, { "Range", "bytes=0-1" }, { "Expect", "100-continue" },
                    { "Cookie", "a=" + "c".repeat(4000) }, { "Origin", "http://evil.example" },
                    { "Authorization", "Bearer garbage" }, { "X-Fuzz", latin1("ünïcödé 🎉") },
                    { "X-Fuzz!#$%&'*+.^_`|~", "token characters in the name" }, { "X-Fuzz", "\u0080\u00ff\u00a0" },
                    { "X-Fuzz", "h".repeat(20_000) }, { "Cookie", "a=" + "c".repeat(17_000) },
                    { "X-Fuzz(name)", "a name that is not a token" }, { "X-Fuzz\u00e9", "a non-ASCII name" },
            };
            for (String[] v : values) {
                String shown = v[1].length() > 40 ? v[1].length() + " chars" : printable(v[1]);
                Case c = add("header", v[0] + ": " + shown).header(v[0], v[1]);
                if (v[0].equals("If-Match")) {
                    c.omit.add("if-match");
                }
            }
            add("header", "If-Match twice").header("If-Match", "\"0\"").header("If-Match", "\"1\"").omit.add("if-match");
            add("header", "If-None-Match twice").header("If-None-Match", "\"0\"").header("If-None-Match", "garbage");
            add("header", "Idempotency-Key twice").header("Idempotency-Key", alnum(20)).header("Idempotency-Key", alnum(20));
            if (op.declaresHeader("If-Match")) {
                add("header", "no If-Match").omit.add("if-match");
            }
            Case many = add("header", "100 extra headers");
            for (int i = 0; i < 100; i++) {
                many.header("X-Fuzz-" + i, "v" + i);
            }
        }

        /**
         * W3C trace context, which the services keep in each outbox row (traceparent varchar(55),
         * tracestate varchar(512)): valid and invalid, short and as long as the propagator accepts.
         */
        void traceCases() {
            String parent = "00-" + hex(32) + "-" + hex(16) + "-01";
            add("trace", "a valid traceparent").header("traceparent", parent);
            add("trace", "a valid traceparent, tracestate of 32 members × 250 chars").header("traceparent", parent)
                    .header("tracestate", traceState(32, 250));
            add("trace", "a valid traceparent, tracestate of 3 members (600 chars)").header("traceparent", parent)
                    .header("tracestate", traceState(3, 196));
            add("trace", "a valid traceparent, tracestate of 33 members").header("traceparent", parent)
                    .header("tracestate", traceState(33, 10));
            add("trace", "a valid traceparent, tracestate garbage").header("traceparent", parent)
                    .header("tracestate", "=,=,,,a=b=c," + "x".repeat(300));
            add("trace", "an unsampled traceparent with a version from the future").header("traceparent",
                    "cc-" + hex(32) + "-" + hex(16) + "-00-" + "f".repeat(100));
        }

        private String hex(int n) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                s.append(Character.forDigit(1 + rnd.nextInt(15), 16));
            }
            return s.toString();
        }

        private static String traceState(int members, int valueLength) {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < members; i++) {
                s.append(i == 0 ? "" : ",").append("k").append(i).append('=').append("v".repeat(valueLength));
            }
            return s.toString();
        }

        void pathCases() {
            UUID absent = uuid(rnd);
            Object[][] ids = {
                    { "not a UUID", (Function<String, String>) f -> "not-a-uuid" },
                    { "1 000 characters", (Function<String, String>) f -> "a".repeat(1000) },
                    { "5 000 characters (a request target over 4 000: 414)", (Function<String, String>) f -> "a".repeat(5000) },
                    { "a raw |, { and \"", (Function<String, String>) f -> f + "|{\"" },
                    { "36 characters, not hex", (Function<String, String>) f -> "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz" },
                    { "a UUID that names nothing", (Function<String, String>) f -> absent.toString() },
                    { "the nil UUID", (Function<String, String>) f -> "00000000-0000-0000-0000-000000000000" },
                    { "the fixture's id in upper case", (Function<String, String>) f -> f.toUpperCase(Locale.ROOT) },
                    { "the fixture's id in encoded braces", (Function<String, String>) f -> "%7B" + f + "%7D" },
                    { "the fixture's id without hyphens", (Function<String, String>) f -> f.replace("-", "") },
                    { "the fixture's id, an encoded space", (Function<String, String>) f -> f + "%20" },
                    { "the fixture's id with a matrix parameter", (Function<String, String>) f -> f + ";x=1" },
                    { "the fixture's id, an encoded slash", (Function<String, String>) f -> f + "%2F" },
                    { "the fixture's id, an encoded NUL", (Function<String, String>) f -> f + "%00" },
                    { "the fixture's id, an encoded ?", (Function<String, String>) f -> f + "%3Fx=1" },
                    { "the fixture's id twice", (Function<String, String>) f -> f + "/" + f },
                    { "an encoded slash", (Function<String, String>) f -> "a%2Fb" },
                    { "encoded ../../", (Function<String, String>) f -> "..%2F..%2Fbookings%2Fmine" },
                    { "encoded dot-dot", (Function<String, String>) f -> "%2e%2e" },
                    { "dot-dot", (Function<String, String>) f -> ".." },
                    { "dot", (Function<String, String>) f -> "." },
                    { "a malformed escape", (Function<String, String>) f -> "%zz" },
                    { "a lone %", (Function<String, String>) f -> "%" },
                    { "encoded unicode (RTL override, emoji)", (Function<String, String>) f -> "%E2%80%AE%F0%9F%8E%89" },
                    { "raw UTF-8 bytes", (Function<String, String>) f -> latin1("é🎉") },
                    { "an overlong encoded slash", (Function<String, String>) f -> "%C0%AF" },
                    { "an encoded lone surrogate", (Function<String, String>) f -> "%ED%A0%80" },
                    { "a huge number", (Function<String, String>) f -> "9223372036854775808" },
                    { "-1", (Function<String, String>) f -> "-1" },
                    { "null", (Function<String, String>) f -> "null" },
                    { "an empty segment", (Function<String, String>) f -> "" },
                    { "plus and encoded space", (Function<String, String>) f -> "a+b%20c" },
            };
            for (Object[] id : ids) {
                @SuppressWarnings("unchecked")
                Function<String, String> f = (Function<String, String>) id[1];
                add("path", "id: " + id[0]).id = f;
            }
        }

        void queryCases() {
            for (Param p : op.in("query")) {
                for (String[] v : queryValues(p.name())) {
                    add("query", v[0] != null ? v[0] : p.name() + "=" + (v[1].length() > 40 ? v[1].length() + " chars" : v[1]))
                            .query = p.name() + "=" + v[1];
                }
                add("query", p.name() + " twice").query = p.name() + "=1&" + p.name() + "=500";
            }
            add("query", "an unknown parameter").query = "zzz=1";
            StringBuilder junk = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                junk.append(i == 0 ? "" : "&").append("p").append(i).append("=1");
            }
            add("query", "200 unknown parameters").query = junk.toString();
            add("query", "raw UTF-8 bytes").query = latin1("q=é🎉");
            add("query", "a malformed escape").query = "%zz";
            add("query", "names and values missing").query = "=&=&&";
            add("query", "an empty query").query = "";
            add("query", "semicolons").query = ";;;";
        }

        /** {label or null, raw value}. */
        private List<String[]> queryValues(String name) {
            UUID u = uuid(rnd);
            List<String> plain = switch (name) {
                case "limit" -> List.of("-1", "0", "101", "1e9", "abc", "", "9999999999999999999", "%201", "1%20", "%00",
                        "%EF%BC%91", "%D9%A1%D9%A0", "0x10", "+5", "1.0", "100");
                case "cursor" -> List.of("abc", "!!!", "%zz", "", base64Junk(3000), "eHg%3D", "%E2%80%AE");
                case "before" -> List.of("abc", "-1", "0", "9223372036854775808", "9223372036854775807", "1.5", "", "%00");
                case "unread" -> List.of("maybe", "TRUE", "", "1", "true&unread=false");
                case "status" -> List.of("approved", "X", "", "%00", "DRAFT", "APPROVED,DRAFT", "%C3%A9");
                default -> List.of("", "%zz", "%00", "a".repeat(3000), "%E2%80%AE");
            };
            List<String[]> values = new ArrayList<>();
            plain.forEach(v -> values.add(new String[] { null, v }));
            if (name.equals("cursor")) {
                // Well-formed cursors (base64url "<epoch-micros>:<uuid>") this API never returned.
                values.add(new String[] { "cursor for a time before year -4713 (out of PostgreSQL's range)",
                        b64("-300000000000000000:" + u) });
                values.add(new String[] { "cursor for the smallest epoch-micros", b64("-9223372036854775808:" + u) });
                values.add(new String[] { "cursor for the largest epoch-micros", b64("9223372036854775807:" + u) });
                values.add(new String[] { "cursor for year 1", b64("-62135596800000000:" + u) });
                values.add(new String[] { "cursor without a UUID", b64("0:not-a-uuid") });
                values.add(new String[] { "cursor without an id", b64("1:") });
                values.add(new String[] { "cursor of a colon", b64(":") });
                values.add(new String[] { "cursor of a fraction", b64("1.5:" + u) });
            }
            return values;
        }

        void methodCases() {
            for (String m : OTHER_METHODS) {
                if (!op.pathMethods().contains(m)) {
                    add("method", m + " on a path without it").method = m;
                }
            }
            add("method", "the method in lower case").method = op.method().toLowerCase(Locale.ROOT);
        }

        void routeCases() {
            String path = op.path();
            String rest = path.substring("/api/".length());
            int slash = rest.indexOf('/');
            String segment = slash < 0 ? rest : rest.substring(0, slash);
            String after = slash < 0 ? "" : rest.substring(slash);
            add("route", "an unknown sub-resource").path = path + "/zzz";
            add("route", "a trailing slash").path = path + "/";
            add("route", "a double slash").path = "/api//" + rest;
            add("route", "an unknown sibling of /api/" + segment).path = "/api/" + segment + "x" + after;
            add("route", "an unknown API route").path = "/api/zzz";
            add("route", "the first segment in upper case").path = "/api/" + segment.toUpperCase(Locale.ROOT) + after;
            add("route", "the first segment's first letter percent-encoded").path = "/api/%"
                    + Integer.toHexString(segment.charAt(0)).toUpperCase(Locale.ROOT) + segment.substring(1) + after;
            add("route", "a dot-dot segment before the path").path = "/api/../api/" + rest;
        }

        // Random mutations: unlimited, reproducible from the seed.

        Case random(int n) {
            List<String> kinds = new ArrayList<>(List.of("bytes", "json", "header", "query"));
            if (op.hasBody()) {
                kinds.addAll(List.of("flip", "cut"));
                if (op.body().stream().anyMatch(p -> p.isText() || p.isDate())) {
                    kinds.add("string");
                }
                if (op.body().stream().anyMatch(Prop::isInteger)) {
                    kinds.add("number");
                }
            }
            if (op.hasId()) {
                kinds.add("id");
            }
            String kind = kinds.get(rnd.nextInt(kinds.size()));
            Case c = new Case(op, "random", "");
            c.body = baseBytes;
            String name;
            switch (kind) {
                case "flip" -> {
                    byte[] body = baseBytes.clone();
                    int flips = 1 + rnd.nextInt(3);
                    StringBuilder where = new StringBuilder();
                    for (int i = 0; i < flips; i++) {
                        int at = rnd.nextInt(body.length);
                        body[at] = (byte) rnd.nextInt(256);
                        where.append(i == 0 ? "" : ",").append(at).append("=0x").append(Integer.toHexString(body[at] & 0xff));
                    }
                    c.body = body;
                    name = flips + " body bytes changed (" + where + ")";
                }
                case "cut" -> {
                    int at = rnd.nextInt(baseBytes.length);
                    c.body = java.util.Arrays.copyOf(baseBytes, at);
                    name = "body cut after " + at + " bytes";
                }
                case "string" -> {
                    List<Prop> strings = op.body().stream().filter(p -> p.isText() || p.isDate()).toList();
                    Prop p = strings.get(rnd.nextInt(strings.size()));
                    String s = randomString(rnd.nextInt(Math.max(2, p.max() * 6 / 5 + 2)));
                    c.body = json(plus(base, p.name(), s));
                    name = p.name() + " = " + printable(s.length() > 40 ? s.substring(0, 40) + "…" : s) + " (" + s.length()
                            + " chars)";
                }
                case "number" -> {
                    List<Prop> numbers = op.body().stream().filter(Prop::isInteger).toList();
                    Prop p = numbers.get(rnd.nextInt(numbers.size()));
                    String v = randomNumber();
                    c.body = json(plus(base, p.name(), new Lit(v)));
                    name = p.name() + " = " + (v.length() > 40 ? v.substring(0, 40) + "… (" + v.length() + " chars)" : v);
                }
                case "bytes" -> {
                    c.body = randomBytes(rnd.nextInt(2000));
                    name = c.body.length + " random body bytes";
                }
                case "json" -> {
                    Object value = randomJson(4);
                    c.body = json(value);
                    String text = new String(c.body, StandardCharsets.UTF_8);
                    name = "body " + printable(text.length() > 60 ? text.substring(0, 60) + "…" : text);
                }
                case "header" -> {
                    String[] names = { "If-Match", "If-None-Match", "Idempotency-Key", "Accept", "Content-Type", "X-Fuzz" };
                    String h = names[rnd.nextInt(names.length)];
                    StringBuilder v = new StringBuilder();
                    int length = rnd.nextInt(3000);
                    boolean controls = rnd.nextInt(10) == 0;
                    for (int i = 0; i < length; i++) {
                        char ch = (char) (controls && rnd.nextInt(50) == 0 ? rnd.nextInt(0x20) : 0x20 + rnd.nextInt(0xDF));
                        // Visible ASCII and obs-text (0x80-0xFF, DEL skipped); control bytes only in one value of
                        // ten, and never a line break (no header injection).
                        v.append(ch >= 0x7f && ch < 0xff ? (char) (ch + 1) : ch == '\r' || ch == '\n' ? '\u0001' : ch);
                    }
                    String value = v.toString().strip();
                    c.header(h, value);
                    if (h.equals("Content-Type")) {
                        c.omit.add("content-type");
                    }
                    if (h.equals("If-Match")) {
                        c.omit.add("if-match");
                    }
                    name = h + ": " + value.length() + " random bytes";
                }
                case "query" -> {
                    List<Param> query = op.in("query");
                    String p = query.isEmpty() ? (rnd.nextBoolean() ? "limit" : "cursor")
                            : query.get(rnd.nextInt(query.size())).name();
                    String v = percentEncode(randomString(rnd.nextInt(200)));
                    c.query = p + "=" + v;
                    name = p + "= " + (v.length() > 40 ? v.substring(0, 40) + "… (" + v.length() + " chars)" : v);
                }
                default -> { // id
                    String v = percentEncode(randomString(1 + rnd.nextInt(200)));
                    c.id = f -> v;
                    name = "id " + (v.length() > 40 ? v.substring(0, 40) + "… (" + v.length() + " chars)" : v);
                }
            }
            Case named = new Case(op, "random", "#" + n + " " + kind + ": " + name);
            named.body = c.body;
            named.query = c.query;
            named.id = c.id;
            named.headers.addAll(c.headers);
            named.omit.addAll(c.omit);
            return named;
        }

        private String randomString(int length) {
            StringBuilder s = new StringBuilder();
            while (s.length() < length) {
                switch (rnd.nextInt(12)) {
                    case 0, 1, 2, 3 -> s.append((char) (0x20 + rnd.nextInt(0x5f)));
                    case 4 -> s.append((char) rnd.nextInt(0x20));
                    case 5 -> s.append((char) (0xa0 + rnd.nextInt(0x60)));
                    case 6 -> s.append((char) (0x300 + rnd.nextInt(0x70)));
                    case 7 -> s.append(BIDI[rnd.nextInt(BIDI.length)]);
                    case 8 -> s.append((char) (0x4e00 + rnd.nextInt(0x5200)));
                    case 9 -> s.append((char) (0xd800 + rnd.nextInt(0x800)));
                    case 10 -> s.appendCodePoint(0x1f300 + rnd.nextInt(0x800));
                    default -> s.append((char) (0xfff0 + rnd.nextInt(0x10)));
                }
            }
            return s.toString();
        }

        private String randomNumber() {
            return switch (rnd.nextInt(5)) {
                case 0 -> Long.toString(rnd.nextLong());
                case 1 -> Integer.toString(rnd.nextInt());
                case 2 -> (rnd.nextBoolean() ? "-" : "") + rnd.nextInt(1000) + "." + rnd.nextInt(1000) + "e"
                        + (rnd.nextInt(800) - 400);
                case 3 -> {
                    StringBuilder digits = new StringBuilder(rnd.nextBoolean() ? "-" : "");
                    int length = 1 + rnd.nextInt(400);
                    digits.append(1 + rnd.nextInt(9));
                    for (int i = 1; i < length; i++) {
                        digits.append(rnd.nextInt(10));
                    }
                    yield digits.toString();
                }
                default -> Integer.toString(rnd.nextInt(21) - 10);
            };
        }

        private Object randomJson(int depth) {
            int kind = rnd.nextInt(depth <= 0 ? 5 : 7);
            return switch (kind) {
                case 0 -> null;
                case 1 -> rnd.nextBoolean();
                case 2 -> new Lit(randomNumber());
                case 3 -> randomString(rnd.nextInt(20));
                case 4 -> "";
                case 5 -> {
                    List<Object> list = new ArrayList<>();
                    for (int i = rnd.nextInt(5); i > 0; i--) {
                        list.add(randomJson(depth - 1));
                    }
                    yield list;
                }
                default -> {
                    Map<String, Object> map = new LinkedHashMap<>();
                    for (int i = rnd.nextInt(5); i > 0; i--) {
                        String key = op.hasBody() && !op.body().isEmpty() && rnd.nextBoolean()
                                ? op.body().get(rnd.nextInt(op.body().size())).name() : randomString(rnd.nextInt(8));
                        map.put(key, randomJson(depth - 1));
                    }
                    yield map;
                }
            };
        }

        private byte[] randomBytes(int n) {
            byte[] b = new byte[n];
            rnd.nextBytes(b);
            return b;
        }

        private String alnum(int n) {
            String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                s.append(chars.charAt(rnd.nextInt(chars.length())));
            }
            return s.toString();
        }

        private String base64Junk(int n) {
            String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < n; i++) {
                s.append(chars.charAt(rnd.nextInt(chars.length())));
            }
            return s.toString();
        }

        private List<Object> distinct(int n) {
            List<Object> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                items.add("fuzz-peer-" + i);
            }
            return items;
        }
    }

    // The valid request body, from the schema.

    private static final Object REMOVE = new Object();
    private static final char[] BIDI = { '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066',
            '\u2067', '\u2068', '\u2069' };

    /** Values the document's constraints allow, dates in the future (an end after its start). */
    static Map<String, Object> validBody(List<Prop> props, Random rnd) {
        Instant start = Instant.now().plus(30, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        Map<String, Object> body = new LinkedHashMap<>();
        for (Prop p : props) {
            if (p.isUuid()) {
                if (p.required()) {
                    body.put(p.name(), uuid(rnd).toString());
                }
            } else if (p.isDate()) {
                boolean end = p.name().toLowerCase(Locale.ROOT).contains("end");
                body.put(p.name(), (end ? start.plus(2, ChronoUnit.HOURS) : start).toString());
            } else if (p.isText()) {
                String v = "fuzz " + p.name();
                body.put(p.name(), v.length() > p.max() ? v.substring(0, p.max()) : v);
            } else if (p.isInteger()) {
                BigDecimal one = BigDecimal.ONE;
                boolean fits = (p.minimum() == null || p.minimum().compareTo(one) <= 0)
                        && (p.maximum() == null || p.maximum().compareTo(one) >= 0);
                body.put(p.name(), fits ? 1 : p.minimum() != null ? p.minimum().longValue() : p.maximum().longValue());
            } else if ("boolean".equals(p.type())) {
                body.put(p.name(), false);
            } else if ("array".equals(p.type())) {
                body.put(p.name(), List.of("fuzz-peer-" + uuid(rnd)));
            } else if ("object".equals(p.type())) {
                body.put(p.name(), Map.of());
            }
        }
        return body;
    }

    private static final List<String> DATES = List.of("0000-01-01T00:00:00Z", "+99999-01-01T00:00:00Z",
            "2027-03-01T19:00:00", "2027-03-01", "2027-02-30T00:00:00Z", "2027-13-01T00:00:00Z", "2027-03-01T25:00:00Z",
            "2027-03-01T19:00:00+25:00", "+294277-01-01T00:00:00Z", "+1000000000-12-31T23:59:59Z",
            "-1000000000-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "yesterday", "2027-03-01T19:00:00.123456789Z",
            "2027-03-01 19:00:00Z", "2026-12-31T23:59:60Z", "2027-03-01T19:00:00z", "P1D");

    private static List<Object[]> wrongTypes(Prop p) {
        List<Object[]> w = new ArrayList<>();
        if (p.isDate()) {
            w.add(new Object[] { "a number (2030 in epoch seconds)", 1893456000L });
            w.add(new Object[] { "the number 1e15 (year 31 million)", new Lit("1e15") });
            w.add(new Object[] { "the number 1e400", new Lit("1e400") });
            w.add(new Object[] { "-1e20", new Lit("-1e20") });
        } else if (!p.isInteger()) {
            w.add(new Object[] { "a number", new Lit("123") });
            w.add(new Object[] { "a fraction", new Lit("1.5") });
        }
        if (p.isInteger()) {
            w.add(new Object[] { "a string of digits", "1" });
            w.add(new Object[] { "a string", "abc" });
        }
        if (!"boolean".equals(p.type())) {
            w.add(new Object[] { "true", true });
        } else {
            w.add(new Object[] { "the string true", "true" });
            w.add(new Object[] { "1", new Lit("1") });
            w.add(new Object[] { "the string yes", "yes" });
        }
        if (!"object".equals(p.type())) {
            w.add(new Object[] { "an object", Map.of() });
        }
        if (!"array".equals(p.type())) {
            w.add(new Object[] { "an empty array", List.of() });
            w.add(new Object[] { "an array", List.of("x") });
        } else {
            w.add(new Object[] { "a string", "x" });
            w.add(new Object[] { "[1]", List.of(1) });
            w.add(new Object[] { "[null]", java.util.Arrays.asList((Object) null) });
            w.add(new Object[] { "[[]]", List.of(List.of()) });
            w.add(new Object[] { "[{}]", List.of(Map.of()) });
            w.add(new Object[] { "[true]", List.of(true) });
        }
        return w;
    }

    private static List<Object[]> numbers(Prop p) {
        List<Object[]> n = new ArrayList<>();
        for (String v : List.of("1e400", "9223372036854775808", "-9223372036854775809", "2147483648", "-2147483649", "-1", "0",
                "1.5", "-0", "1e2", "1E+2", "0.0", "100000000000000000000000000000000000000", "1" + "0".repeat(1200),
                "NaN", "Infinity", "-Infinity", "0x10", "012", "+1", ".5", "1.", "--1")) {
            n.add(new Object[] { v.length() > 40 ? v.length() + " digits" : v, new Lit(v) });
        }
        if (p.maximum() != null) {
            n.add(new Object[] { p.maximum() + " (the maximum)", new Lit(p.maximum().toPlainString()) });
            BigDecimal over = p.maximum().add(BigDecimal.ONE);
            n.add(new Object[] { over + " (one over)", new Lit(over.toPlainString()) });
        }
        if (p.minimum() != null) {
            n.add(new Object[] { p.minimum() + " (the minimum)", new Lit(p.minimum().toPlainString()) });
            n.add(new Object[] { p.minimum().subtract(BigDecimal.ONE) + " (one under)",
                    new Lit(p.minimum().subtract(BigDecimal.ONE).toPlainString()) });
        }
        return n;
    }

    private static List<Object[]> unicode(int max) {
        int emoji = Math.max(1, max / 2);
        return List.of(
                new Object[] { "NUL inside", "a\u0000b" },
                new Object[] { "only NUL", "\u0000" },
                new Object[] { "a lone high surrogate (escaped)", "a\uD800b" },
                new Object[] { "a lone low surrogate (escaped)", "a\uDC00b" },
                new Object[] { "a reversed surrogate pair (escaped)", "\uDC00\uD800" },
                new Object[] { "a lone surrogate as raw bytes (CESU-8)", raw("a", 0xED, 0xA0, 0x80, "b") },
                new Object[] { "an RTL override", "\u202Egnp.exe" },
                new Object[] { "emoji", "🎉 fuzz 🎉" },
                new Object[] { emoji + " emoji (" + emoji * 2 + " UTF-16 chars, the limit)", "🎉".repeat(emoji) },
                new Object[] { (emoji + 1) + " emoji (one over in UTF-16 chars)", "🎉".repeat(emoji + 1) },
                new Object[] { "combining marks", "e" + "\u0301".repeat(Math.max(1, Math.min(max - 1, 500))) },
                new Object[] { "zero-width spaces only", "\u200B\u200B\u200B" },
                new Object[] { "no-break spaces only", "\u00A0\u00A0" },
                new Object[] { "a BOM first", "\uFEFFfuzz" },
                new Object[] { "line and paragraph separators", "a\u2028b\u2029c" },
                new Object[] { "noncharacters", "\uFFFE\uFFFF" },
                new Object[] { "C0 controls and DEL (escaped)", "a\u0001\u001F\u007Fb" },
                new Object[] { "a raw control byte (unescaped)", raw("a", 0x01, "b") },
                new Object[] { "a raw newline (unescaped)", raw("a", 0x0A, "b") },
                new Object[] { "invalid UTF-8 C3 28", raw("a", 0xC3, 0x28, "b") },
                new Object[] { "invalid UTF-8 FF FE", raw("a", 0xFF, 0xFE, "b") },
                new Object[] { "an overlong UTF-8 slash C0 AF", raw("a", 0xC0, 0xAF, "b") },
                new Object[] { "UTF-8 beyond U+10FFFF", raw("a", 0xF4, 0x90, 0x80, 0x80, "b") },
                new Object[] { "a truncated UTF-8 sequence", raw("a", 0xE2, 0x82) },
                new Object[] { "fullwidth and mathematical letters", "ＦＵＺＺ 𝔣𝔲𝔷𝔷" },
                new Object[] { "a Hangul filler", "\u3164" },
                new Object[] { "a script tag", "<script>alert(1)</script>" },
                new Object[] { "SQL", "'; drop table event; --" },
                new Object[] { "a JNDI lookup", "${jndi:ldap://127.0.0.1:1/a}" },
                new Object[] { "templates", "{{7*7}}${7*7}" },
                new Object[] { "a path traversal", "../../../../etc/passwd" },
                new Object[] { "a literal %00", "%00" },
                new Object[] { "backslashes and quotes", "\\\"\\'\\" });
    }

    // JSON, written by hand so that anything can be sent.

    /** JSON text written as it is (numbers JSON cannot hold, invalid tokens, deep nesting). */
    record Lit(String text) {
    }

    /** A JSON string whose content is these bytes, unchecked (invalid UTF-8, raw control bytes). */
    record Raw(byte[] bytes) {
    }

    /** An object with the valid body's fields and one of them repeated. */
    record Pairs(Map<String, Object> fields, String repeated, Object value) {
    }

    static Raw raw(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) p);
            }
        }
        return new Raw(out.toByteArray());
    }

    static byte[] json(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out, value);
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, Object v) {
        if (v == null) {
            ascii(out, "null");
        } else if (v instanceof Lit l) {
            out.writeBytes(l.text().getBytes(StandardCharsets.UTF_8));
        } else if (v instanceof Raw r) {
            out.write('"');
            out.writeBytes(r.bytes());
            out.write('"');
        } else if (v instanceof String s) {
            string(out, s);
        } else if (v instanceof Boolean || v instanceof Number) {
            ascii(out, v.toString());
        } else if (v instanceof Pairs p) {
            Map<String, Object> twice = new LinkedHashMap<>(p.fields());
            out.write('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : twice.entrySet()) {
                first = member(out, first, e.getKey(), e.getValue());
            }
            member(out, first, p.repeated(), p.value());
            out.write('}');
        } else if (v instanceof Map<?, ?> m) {
            out.write('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                first = member(out, first, String.valueOf(e.getKey()), e.getValue());
            }
            out.write('}');
        } else if (v instanceof List<?> l) {
            out.write('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                write(out, l.get(i));
            }
            out.write(']');
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass());
        }
    }

    private static boolean member(ByteArrayOutputStream out, boolean first, String key, Object value) {
        if (!first) {
            out.write(',');
        }
        string(out, key);
        out.write(':');
        write(out, value);
        return false;
    }

    /** A JSON string: control characters and unpaired surrogates escaped, the rest as UTF-8. */
    private static void string(ByteArrayOutputStream out, String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
        out.writeBytes(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static void ascii(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    }

    // Small helpers.

    static UUID uuid(Random rnd) {
        return new UUID((rnd.nextLong() & 0xffffffffffff0fffL) | 0x4000L,
                (rnd.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L);
    }

    private static Map<String, Object> plus(Map<String, Object> base, String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.put(key, value);
        return m;
    }

    private static Map<String, Object> manyFields(Map<String, Object> base, int n) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        for (int i = 0; i < n; i++) {
            m.put("f" + i, i);
        }
        return m;
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? "X" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String tags(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ", ").append("\"t").append(i).append('"');
        }
        return s.toString();
    }

    /** The UTF-8 bytes of {@code s} as ISO-8859-1 characters: how raw bytes travel in a request line or header. */
    static String latin1(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String percentEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    /** For case names: control and invisible characters as \\uXXXX. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || Character.isSurrogate(c) && !(Character.isHighSurrogate(c)
                    && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1)))) {
                out.append(String.format("\\u%04x", (int) c));
            } else if (Character.isHighSurrogate(c)) {
                out.append(c).append(s.charAt(++i));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
