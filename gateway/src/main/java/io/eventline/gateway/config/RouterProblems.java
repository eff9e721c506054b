package io.eventline.gateway.config;

import io.eventline.gateway.Problems;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The answers Vert.x-web gives itself, before any route runs, as problem+json like every other
 * error: no route for the path (404, e.g. {@code /api/zzz}), a request target that is not a valid
 * URI (400), a method no route takes (405), and a body over the limit (413).
 *
 * <p>The first two used to be answered with an empty body by layers before any route: Quarkus's
 * HTTP root refused a target that {@link URI} cannot parse (now switched off in {@code GatewayMain}
 * and checked here instead), and Quarkus's upload-limit route refused a declared
 * {@code Content-Length} over the limit. The check here runs before both the proxy and that route.
 */
@Singleton
public class RouterProblems {

    /**
     * Limits answered here as problems. The codec's own limits (application.properties) are set far
     * above them so that these are the ones a client meets; they stay at or below the services'
     * codec limits (4 096-character request line, 20 KiB of headers) so that nothing the gateway
     * passes on is refused bare by a service.
     */
    static final int MAX_TARGET = 4000;
    static final int MAX_HEADERS = 16 * 1024;

    private final long maxBody;

    RouterProblems(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10M") MemorySize maxBody) {
        this.maxBody = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        // Before anything else reads it (the proxy, the stream, REST, Quarkus's own body limit).
        router.route().order(-1000).handler(this::screen);
        router.errorHandler(400, rc -> Problems.send(rc, 400, "bad-request", "Bad request",
                "the request line or its headers are malformed (for example a bad %-escape)"));
        router.errorHandler(404, rc -> Problems.send(rc, 404, "not-found", "Not found", "no such resource"));
        router.errorHandler(405, rc -> Problems.send(rc, 405, "method-not-allowed", "Method not allowed",
                "this method is not allowed here"));
        router.errorHandler(413, rc -> Problems.send(rc, 413, "payload-too-large", "Payload too large",
                "the body is larger than 64 KiB"));
    }

    private void screen(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (request.uri().length() > MAX_TARGET) {
            Problems.send(rc, 414, "uri-too-long", "URI too long", "the request target is longer than " + MAX_TARGET + " characters");
            return;
        }
        if (!validTarget(request.uri())) {
            Problems.send(rc, 400, "bad-request", "Bad request",
                    "the request target is not a valid URI (a malformed %-escape, a space or a character that must be escaped)");
            return;
        }
        int headerBytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headerBytes += header.getKey().length() + header.getValue().length() + 4;
            String wrong = !token(header.getKey()) ? "a header name that is not an HTTP token"
                    : !fieldValue(header.getValue()) ? "a control character in the header " + printable(header.getKey()) : null;
            if (wrong != null) {
                Problems.send(rc, 400, "bad-request", "Bad request", "the request has " + wrong);
                return;
            }
        }
        if (headerBytes > MAX_HEADERS) {
            Problems.send(rc, 431, "header-fields-too-large", "Request header fields too large",
                    "the request's headers are larger than " + MAX_HEADERS / 1024 + " KiB");
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && declaredTooLong(length)) {
            // The body is not read: the connection closes after the answer, as Quarkus's own check does.
            rc.response().putHeader(HttpHeaders.CONNECTION, "close");
            Problems.send(rc, 413, "payload-too-large", "Payload too large", "the body is larger than " + maxBody + " bytes");
            return;
        }
        rc.next();
    }

    private boolean declaredTooLong(String length) {
        try {
            return Long.parseLong(length.trim()) > maxBody;
        } catch (NumberFormatException e) {
            return false; // a malformed Content-Length is the codec's to refuse, not a size question
        }
    }

    /** RFC 9110 token: the characters a field name may have. */
    static boolean token(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 field value: visible characters, spaces, tabs and obs-text; no other control character. */
    static boolean fieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String name) {
        return token(name) && name.length() <= 100 ? name : "(unprintable)";
    }

    /** The check Quarkus's HTTP root makes (java.net.URI parses it), plus well-formed %-escapes. */
    public static boolean validTarget(String target) {
        if (target == null || target.isEmpty()) {
            return false;
        }
        try {
            new URI(target);
        } catch (URISyntaxException e) {
            return false;
        }
        int query = target.indexOf('?');
        return wellEscaped(query < 0 ? target : target.substring(0, query)) && (query < 0 || wellEscaped(target.substring(query + 1)));
    }

    /** Every '%' is followed by two hex digits. */
    public static boolean wellEscaped(String s) {
        if (s == null) {
            return true;
        }
        for (int i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
            if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
