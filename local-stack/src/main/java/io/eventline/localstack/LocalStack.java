package io.eventline.localstack;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A real PostgreSQL and a real Kafka broker for development and tests, without Docker.
 *
 * <p>{@link #shared()} starts them once per JVM (in parallel, on free ports, with data in a
 * throwaway directory) and stops them when the JVM exits; a watchdog stops them even if the JVM
 * is killed. When {@code EVENTLINE_DB_URL} (or {@code QUARKUS_DATASOURCE_JDBC_URL}) or
 * {@code EVENTLINE_KAFKA} (or {@code KAFKA_BOOTSTRAP_SERVERS}) is set, that existing database or
 * broker is used instead of starting one.
 */
public final class LocalStack implements AutoCloseable {

    /** The change topics and their partition counts; change-feed's tests check these match its own. */
    public static final Map<String, Integer> TOPICS = Map.of(
            "eventline.events", 6,
            "eventline.messages", 6,
            "eventline.notifications", 6);

    private static LocalStack shared;

    private final RunDirectory run;
    private final PostgresServer postgres;
    private final KafkaBroker kafka;

    private LocalStack(RunDirectory run, PostgresServer postgres, KafkaBroker kafka) {
        this.run = run;
        this.postgres = postgres;
        this.kafka = kafka;
    }

    /** The stack of this JVM, started on first use. */
    public static synchronized LocalStack shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "local-stack-shutdown"));
        }
        return shared;
    }

    /** Starts a new stack; the caller closes it. */
    public static LocalStack start() {
        Optional<String> dbUrl = env("EVENTLINE_DB_URL", "QUARKUS_DATASOURCE_JDBC_URL");
        Optional<String> kafkaServers = env("EVENTLINE_KAFKA", "KAFKA_BOOTSTRAP_SERVERS");
        RunDirectory run = dbUrl.isPresent() && kafkaServers.isPresent() ? null : RunDirectory.create();

        CompletableFuture<PostgresServer> pg = CompletableFuture.supplyAsync(() -> dbUrl
                .map(url -> PostgresServer.external(url,
                        env("EVENTLINE_DB_USER", "QUARKUS_DATASOURCE_USERNAME").orElse("postgres"),
                        env("EVENTLINE_DB_PASSWORD", "QUARKUS_DATASOURCE_PASSWORD").orElse("postgres")))
                .orElseGet(() -> PostgresServer.start(run)));
        CompletableFuture<KafkaBroker> broker = CompletableFuture.supplyAsync(() -> kafkaServers
                .map(KafkaBroker::external)
                .orElseGet(() -> KafkaBroker.start(run)));
        try {
            CompletableFuture.allOf(pg, broker).join();
        } catch (CompletionException e) {
            pg.thenAccept(PostgresServer::close);
            broker.thenAccept(KafkaBroker::close);
            if (run != null) {
                run.delete();
            }
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
        LocalStack stack = new LocalStack(run, pg.join(), broker.join());
        stack.kafka.ensureTopics(TOPICS);
        return stack;
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    /** The configuration a Quarkus service needs to use this stack, with its own database. */
    public Map<String, String> serviceConfig(String database) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database));
        config.put("quarkus.datasource.username", postgres.username());
        config.put("quarkus.datasource.password", postgres.password());
        config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        config.putAll(DevTokens.verificationConfig());
        return config;
    }

    @Override
    public synchronized void close() {
        try {
            kafka.close();
        } finally {
            try {
                postgres.close();
            } finally {
                if (run != null) {
                    run.delete();
                }
            }
        }
    }

    private static Optional<String> env(String... names) {
        for (String name : names) {
            String value = System.getenv(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
