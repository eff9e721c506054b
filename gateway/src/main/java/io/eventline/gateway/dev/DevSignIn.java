package io.eventline.gateway.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.Roles;
import io.eventline.devtokens.DevTokenMinter;
import io.eventline.http.common.ProblemJson;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Development sign-in for the demo app: {@code GET /dev/personas} and {@code POST /dev/token}.
 *
 * <p>The routes exist only when the {@code dev} profile is active <em>and</em> a development signing
 * key is configured ({@code eventline.dev.signing-key-location}, which {@code ./eventline up} and the
 * tests set from local-stack). The key is never packaged: a production run has neither the profile
 * nor the key, so {@code /dev/**} is a plain 404 there. The tokens are ordinary RS256 JWTs under the
 * development issuer, verified by the services exactly like an identity provider's.
 */
@Singleton
public class DevSignIn {

    private static final Logger LOG = Logger.getLogger(DevSignIn.class);
    private static final long MIN_TTL = 5;
    private static final long MAX_TTL = 43_200;
    private static final int MAX_SUB = 100;

    /** The demo personas, the same three that {@code ./eventline up} prints tokens for. */
    static final List<JsonObject> PERSONAS = List.of(
            new JsonObject().put("sub", "pat").put("role", "partner").put("name", "Pat Partner"),
            new JsonObject().put("sub", "ada").put("role", "admin").put("name", "Ada Admin"),
            new JsonObject().put("sub", "uma").put("role", "user").put("name", "Uma User"));

    @ConfigProperty(name = "eventline.dev.signing-key-location")
    Optional<Path> keyLocation;

    @ConfigProperty(name = "mp.jwt.verify.issuer")
    Optional<String> issuer;

    /** The tokens name the audience the services expect, as an identity provider's would. */
    @ConfigProperty(name = "mp.jwt.verify.audiences")
    Optional<List<String>> audiences;

    private DevTokenMinter minter;

    void install(@Observes Router router) {
        if (!ConfigUtils.getProfiles().contains("dev") || keyLocation.isEmpty() || issuer.isEmpty()
                || audiences.filter(a -> !a.isEmpty()).isEmpty()) {
            return;
        }
        DevTokenMinter configured;
        try {
            configured = DevTokenMinter.fromPem(Files.readString(keyLocation.get()), issuer.get(), audiences.get().get(0));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warnf("dev sign-in is off: cannot read the development signing key %s (%s)", keyLocation.get(), e);
            return;
        }
        LOG.info("dev sign-in is on: GET /dev/personas, POST /dev/token (development profile only)");
        routes(router, configured);
    }

    /** The two routes, minting with {@code minter}: {@link #install} once the profile and the key allow it, and tests. */
    void routes(Router router, DevTokenMinter minter) {
        this.minter = minter;
        router.get("/dev/personas").handler(rc -> rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(new JsonArray(List.copyOf(PERSONAS)).encode()));
        router.post("/dev/token").handler(BodyHandler.create().setBodyLimit(4096)).handler(this::token);
    }

    private void token(RoutingContext rc) {
        JsonObject body;
        try {
            body = rc.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            ProblemJson.of(400, "Malformed body", "the body must be a JSON object").send(rc);
            return;
        }
        if (body == null) {
            ProblemJson.of(400, "Malformed body", "the body must be a JSON object").send(rc);
            return;
        }
        Object sub = body.getValue("sub");
        Object role = body.getValue("role");
        Object name = body.getValue("name");
        Object ttl = body.getValue("ttlSeconds");
        JsonArray errors = new JsonArray();
        if (!(sub instanceof String s) || s.isBlank() || s.length() > MAX_SUB || !Roles.isValidSub(s)) {
            errors.add(error("sub", "a non-blank string of at most " + MAX_SUB + " characters, without commas or white space"));
        }
        if (!(role instanceof String r) || !Audience.ROLES.contains(r)) {
            errors.add(error("role", "one of " + Audience.ROLES));
        }
        if (name != null && (!(name instanceof String n) || n.length() > 200)) {
            errors.add(error("name", "a string of at most 200 characters"));
        }
        if (ttl != null && (!(ttl instanceof Integer || ttl instanceof Long) || ((Number) ttl).longValue() < MIN_TTL
                || ((Number) ttl).longValue() > MAX_TTL)) {
            errors.add(error("ttlSeconds", "a whole number of seconds from " + MIN_TTL + " to " + MAX_TTL));
        }
        if (!errors.isEmpty()) {
            ProblemJson.of(400, "Validation failed", "the sign-in request is invalid").errors(errors.getList()).send(rc);
            return;
        }
        long seconds = ttl == null ? MAX_TTL : ((Number) ttl).longValue();
        String jwt = minter.mint((String) sub, (String) role, (String) name, Duration.ofSeconds(seconds));
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
                .end(new JsonObject().put("token", jwt).put("expiresIn", seconds).encode());
    }

    private static JsonObject error(String field, String message) {
        return new JsonObject().put("field", field).put("message", message);
    }
}
