package io.eventline.gateway;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts the gateway. Its one job before Quarkus starts: hand two request checks to
 * {@link io.eventline.gateway.config.RequestScreen}, which answers them with problem+json. Left to
 * the layers below, both end in an empty 400 before any route runs, and their only switches are
 * system properties read once, when the classes load:
 * <ul>
 * <li>Quarkus's HTTP root refuses a request target that {@link java.net.URI} cannot parse (a bare
 * {@code %}, a space, {@code |});
 * <li>Vert.x's request decoder refuses a header with a control character or a name that is not a
 * token.
 * </ul>
 * RequestScreen makes both checks as the first route, before the proxy, the stream or REST read
 * anything, so nothing unchecked reaches a service or a response header.
 */
@QuarkusMain
public final class GatewayMain {

    private static final String URI_VALIDATION = "vertx.disableURIValidation";
    private static final String HEADER_VALIDATION = "vertx.disableHttpHeadersValidation";

    private GatewayMain() {
    }

    public static void main(String... args) {
        for (String check : new String[] { URI_VALIDATION, HEADER_VALIDATION }) {
            if (System.getProperty(check) == null) {
                System.setProperty(check, "true");
            }
        }
        Quarkus.run(args);
    }
}
