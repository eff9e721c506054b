package io.eventline.messaging;

import java.util.List;

import io.eventline.http.testing.ServiceHealthContract;
import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The service starts on the real local stack and says so on its health, metrics and OpenAPI endpoints. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "messaging"))
class HealthTest extends ServiceHealthContract {

    @Override
    protected List<String> apiPaths() {
        return List.of("/api/conversations", "/api/conversations/{id}/messages", "/api/conversations/{id}/read");
    }
}
