package io.eventline.gateway.config;

import io.eventline.http.common.ProblemJson;
import io.eventline.http.common.RouterProblems;
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
 * The gateway's screen in front of every route, answering as problem+json like every other error:
 * a request target that is not a valid URI or malformed headers (400), a target or headers over
 * the limits (414, 431), a declared body over the limit (413); and Vert.x-web's own 400s. No
 * route (404, e.g. {@code /api/zzz}), a method no route takes (405) and a body over a route's own
 * limit (413) are {@link RouterProblems}', shared with the services.
 *
 * <p>Both the invalid target and the declared body are checked here because the layers before any
 * route answer them with an empty body: Quarkus's HTTP root refuses a target that {@link URI}
 * cannot parse (that check is switched off in {@code GatewayMain}), and Quarkus's upload-limit route
 * refuses a declared {@code Content-Length} over the limit. This check runs before both the proxy
 * and that route.
 */
@Singleton
public class RequestScreen {

    /**
     * Limits answered here as problems. The codec's own limits (application.properties) are set far
     * above them so that these are the ones a client meets; they stay at or below the services'
     * codec limits (4 096-character request line, 20 KiB of headers) so that nothing the gateway
     * passes on is refused bare by a service.
     */
    static final int MAX_TARGET = 4000;
    static final int MAX_HEADERS = 16 * 1024;

    private final long maxBody;

    RequestScreen(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10M") MemorySize maxBody) {
        this.maxBody = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        // Before anything else reads it (the proxy, the stream, REST, Quarkus's own body limit).
        router.route().order(-1000).handler(this::screen);
        router.errorHandler(400, rc -> ProblemJson.of(400, "Bad request",
                "the request line or its headers are malformed (for example a bad %-escape)").send(rc));
    }

    private void screen(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (request.uri().length() > MAX_TARGET) {
            ProblemJson.of(414, "URI too long", "the request target is longer than " + MAX_TARGET + " characters").send(rc);
            return;
        }
        if (!validTarget(request.uri())) {
            ProblemJson.of(400, "Bad request",
                    "the request target is not a valid URI (a malformed %-escape, a space or a character that must be escaped)").send(rc);
            return;
        }
        int headerBytes = 0;
        for (Map.Entry<String, String> header : request.headers()) {
            headerBytes += header.getKey().length() + header.getValue().length() + 4;
            String wrong = !token(header.getKey()) ? "a header name that is not an HTTP token"
                    : !fieldValue(header.getValue()) ? "a control character in the header " + printable(header.getKey()) : null;
            if (wrong != null) {
                ProblemJson.of(400, "Bad request", "the request has " + wrong).send(rc);
                return;
            }
        }
        if (headerBytes > MAX_HEADERS) {
            ProblemJson.of(431, "Request header fields too large",
                    "the request's headers are larger than " + MAX_HEADERS / 1024 + " KiB").send(rc);
            return;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && declaredTooLong(length)) {
            // The body is not read: the connection closes after the answer, as Quarkus's own check does.
            ProblemJson.of(413, "Payload too large", "the body is larger than " + maxBody + " bytes").header("Connection", "close")
                    .send(rc);
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
