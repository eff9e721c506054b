package io.eventline.notifications;

import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import io.eventline.http.testing.ServiceHealthContract;
import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** The service starts on the real local stack and says so on its health, metrics and OpenAPI endpoints. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "notifications"))
class HealthTest extends ServiceHealthContract {

    @Override
    protected List<String> apiPaths() {
        return List.of("/api/notifications", "/api/notifications/{id}/read", "/api/notifications/read-all");
    }

    // the connector's own check: the change-feed channel is connected and consuming
    @Override
    protected void assertOwnReadiness(ValidatableResponse ready) {
        ready.body("checks.find { it.name == 'SmallRye Reactive Messaging - readiness check' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'SmallRye Reactive Messaging - readiness check' }.data.change-feed",
                        equalTo("[OK]"));
    }
}
