package io.eventline.testsupport;

import java.util.Map;

import io.eventline.localstack.LocalStack;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The one entry point for every service's tests: {@code @WithTestResource(LocalStackTestResource.class)}.
 *
 * <p>It starts the shared stack once per test JVM (later test classes reuse it) and hands the
 * service its datasource, Kafka bootstrap servers and the dev JWT verification key. The init arg
 * {@code database} picks the service's own database (default {@code eventline}).
 *
 * <p>The stack is JVM-global (see {@link LocalStack#shared()}), so test code that calls
 * {@code LocalStack.shared()} drives the same processes this resource started.
 */
public class LocalStackTestResource implements QuarkusTestResourceLifecycleManager {

    private String database = "eventline";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        return LocalStack.shared().serviceConfig(database);
    }

    @Override
    public void stop() {
        // The stack outlives a test class: it is shared by the JVM and stopped at its exit.
    }
}
