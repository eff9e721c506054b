package io.eventline.gateway.openapi;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.smallrye.openapi.runtime.OpenApiConstants;
import io.quarkus.smallrye.openapi.runtime.OpenApiDocumentService;
import io.smallrye.mutiny.Uni;
import io.smallrye.openapi.runtime.io.Format;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code GET /api/openapi}: one OpenAPI document of everything a frontend calls on the gateway,
 * the gateway's own (its {@code /q/openapi} on the management port, with the stream from {@code META-INF/openapi.yaml})
 * merged with the services' documents. Under {@code /api} because that is what the ingress
 * exposes; it needs no token, like any API description.
 */
@Path("/api/openapi")
@Tag(name = "openapi", description = "This document")
public class OpenApiResource {

    /** However slow a service is, the answer comes within this, with what is known by then. */
    private static final Duration ANSWER_WITHIN = Duration.ofMillis(ServiceDocuments.FETCH_TIMEOUT_MS + 1_000);

    private final OpenApiDocumentService own;
    private final ServiceDocuments services;
    private volatile JsonObject ownDocument;

    public OpenApiResource(OpenApiDocumentService own, ServiceDocuments services) {
        this.own = own;
        this.services = services;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The whole API as one OpenAPI document", description = "The gateway's endpoints, the live "
            + "stream and every service endpoint behind /api/**, merged from the services' own documents. A service "
            + "that does not answer is left out and named in x-eventline-sources (included: false), and the rest is "
            + "served; it is added once it answers again.")
    @APIResponse(responseCode = "200", description = "The merged document (OpenAPI 3.1, JSON)")
    public Uni<Response> document() {
        JsonObject gateway = ownDocument();
        return Uni.createFrom().completionStage(() -> services.current().toCompletionStage())
                .ifNoItem().after(ANSWER_WITHIN).recoverWithItem(services::snapshot)
                .map(parts -> Response.ok(OpenApiMerge.merge(gateway, parts).encode(), MediaType.APPLICATION_JSON)
                        .header("Cache-Control", "no-cache").build());
    }

    private JsonObject ownDocument() {
        JsonObject doc = ownDocument;
        if (doc == null) {
            doc = new JsonObject(new String(own.getDocument(OpenApiConstants.DEFAULT_DOCUMENT_NAME, Format.JSON),
                    StandardCharsets.UTF_8));
            ownDocument = doc;
        }
        return doc;
    }
}
