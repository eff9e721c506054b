package io.eventline.localstack;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A real PostgreSQL and a real Kafka broker for development and tests, without Docker.
 *
 * <p>On an existing database, each service gets its own schema instead of its own database.
 *
 * <p>{@link #shared()} starts them once per JVM (in parallel, on free ports, with data in a
 * throwaway directory) and stops them when the JVM exits; a watchdog stops them even if the JVM
 * is killed. When {@code EVENTLINE_DB_URL} (or {@code QUARKUS_DATASOURCE_JDBC_URL}) or
 * {@code EVENTLINE_KAFKA} (or {@code KAFKA_BOOTSTRAP_SERVERS}) is set, that existing database or
 * broker is used instead of starting one.
 *
 * <p>Quarkus loads a test resource and the test itself through different class loaders. The
 * shared stack therefore lives in the system class loader's copy of this class and is handed to
 * other copies as a map of JDK types: every {@code LocalStack.shared()} drives the same processes.
 */
public final class LocalStack implements AutoCloseable {

    /** The change topics and their partition counts; change-feed's tests check these match its own. */
    public static final Map<String, Integer> TOPICS = Map.of(
            "eventline.events", 6,
            "eventline.messages", 6,
            "eventline.notifications", 6);

    /** Dead-letter topics: notification-service's records that no retry can apply (docs/operations.md). */
    public static final Map<String, Integer> DEAD_LETTER_TOPICS = Map.of("eventline.notifications.dlq", 1);

    private static Map<String, Object> sharedOps;

    private final Map<String, Object> ops;

    private LocalStack(Map<String, Object> ops) {
        this.ops = ops;
    }

    /** The stack of this JVM, started on first use and stopped when the JVM exits. */
    @SuppressWarnings("unchecked")
    public static LocalStack shared() {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        if (LocalStack.class.getClassLoader() != system) {
            try {
                Class<?> canonical = Class.forName(LocalStack.class.getName(), true, system);
                return new LocalStack((Map<String, Object>) canonical.getMethod("sharedOps").invoke(null));
            } catch (ClassNotFoundException e) {
                // local-stack is not on the system class path: this loader's copy is the only one
            } catch (ReflectiveOperationException e) {
                throw new LocalStackException("cannot reach the JVM's shared local stack", e);
            }
        }
        return new LocalStack(sharedOps());
    }

    /**
     * The shared stack's operations as JDK types, so that copies of this class in other class
     * loaders can drive it. Public only for {@link #shared()}.
     */
    public static synchronized Map<String, Object> sharedOps() {
        if (sharedOps == null) {
            // Kafka's client loads plugins through the context class loader: make it ours.
            Thread current = Thread.currentThread();
            ClassLoader previous = current.getContextClassLoader();
            current.setContextClassLoader(LocalStack.class.getClassLoader());
            LocalStack stack;
            try {
                stack = start();
            } finally {
                current.setContextClassLoader(previous);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "local-stack-shutdown"));
            sharedOps = stack.ops;
        }
        return sharedOps;
    }

    /** Starts a new stack, owned by the caller, who closes it. */
    public static LocalStack start() {
        return start(System.getenv());
    }

    /** Starts a new stack as {@link #start()} does, reading the variables from {@code env}. */
    public static LocalStack start(Map<String, String> env) {
        Optional<String> dbUrl = env(env, "EVENTLINE_DB_URL", "QUARKUS_DATASOURCE_JDBC_URL");
        Optional<String> kafkaServers = env(env, "EVENTLINE_KAFKA", "KAFKA_BOOTSTRAP_SERVERS");
        RunDirectory run = dbUrl.isPresent() && kafkaServers.isPresent() ? null : RunDirectory.create();

        CompletableFuture<PostgresServer> pg = CompletableFuture.supplyAsync(() -> dbUrl
                .map(url -> PostgresServer.external(url,
                        env(env, "EVENTLINE_DB_USER", "QUARKUS_DATASOURCE_USERNAME").orElse("postgres"),
                        env(env, "EVENTLINE_DB_PASSWORD", "QUARKUS_DATASOURCE_PASSWORD").orElse("postgres")))
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
        PostgresServer postgres = pg.join();
        KafkaBroker kafka = broker.join();
        kafka.ensureTopics(TOPICS);
        kafka.ensureTopics(DEAD_LETTER_TOPICS);

        Map<String, Object> ops = new LinkedHashMap<>();
        ops.put("kafka.bootstrap", kafka.bootstrapServers());
        ops.put("kafka.kill", (Runnable) kafka::kill);
        ops.put("kafka.stop", (Runnable) kafka::stop);
        ops.put("kafka.restart", (Runnable) kafka::restart);
        ops.put("kafka.running", (BooleanSupplier) kafka::isRunning);
        ops.put("postgres.url", (Function<String, String>) postgres::jdbcUrl);
        ops.put("postgres.port", postgres.port());
        ops.put("postgres.stop", (Runnable) postgres::stop);
        ops.put("postgres.start", (Runnable) postgres::start);
        ops.put("postgres.username", postgres.username());
        ops.put("postgres.password", postgres.password());
        ops.put("close", (Runnable) () -> {
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
        });
        return new LocalStack(Map.copyOf(ops));
    }

    public String kafkaBootstrapServers() {
        return (String) ops.get("kafka.bootstrap");
    }

    /** Kills the broker process (SIGKILL), as a crash would. */
    public void killKafka() {
        ((Runnable) ops.get("kafka.kill")).run();
    }

    /** Stops the broker cleanly (SIGTERM). */
    public void stopKafka() {
        ((Runnable) ops.get("kafka.stop")).run();
    }

    /** Starts a stopped or killed broker again, on the same port with the same data. */
    public void restartKafka() {
        ((Runnable) ops.get("kafka.restart")).run();
    }

    /** Stops the embedded PostgreSQL (fast shutdown: sessions are cut), keeping its data. */
    public void stopPostgres() {
        ((Runnable) ops.get("postgres.stop")).run();
    }

    /** Starts a PostgreSQL stopped by {@link #stopPostgres()} again, on the same port with the same data. */
    public void startPostgres() {
        ((Runnable) ops.get("postgres.start")).run();
    }

    public boolean kafkaRunning() {
        return ((BooleanSupplier) ops.get("kafka.running")).getAsBoolean();
    }

    /** The JDBC URL of the named database, created on first use (embedded server only). */
    @SuppressWarnings("unchecked")
    public String jdbcUrl(String database) {
        return ((Function<String, String>) ops.get("postgres.url")).apply(database);
    }

    /** The embedded server's port, or -1 for an external database. */
    public int postgresPort() {
        return (Integer) ops.get("postgres.port");
    }

    public String dbUsername() {
        return (String) ops.get("postgres.username");
    }

    public String dbPassword() {
        return (String) ops.get("postgres.password");
    }

    /** The configuration a Quarkus service needs to use this stack, with its own database. */
    public Map<String, String> serviceConfig(String database) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("quarkus.datasource.jdbc.url", jdbcUrl(database));
        config.put("quarkus.datasource.username", dbUsername());
        config.put("quarkus.datasource.password", dbPassword());
        config.put("kafka.bootstrap.servers", kafkaBootstrapServers());
        config.putAll(DevTokens.verificationConfig());
        return config;
    }

    /**
     * The environment of a service run as a process on this stack: its own database (null for
     * none), Kafka, and the dev token key, with the {@code dev} profile.
     */
    public Map<String, String> serviceEnv(String database) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_PROFILE", "dev");
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers());
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", DevTokens.publicKeyFile().toUri().toString());
        env.put("MP_JWT_VERIFY_ISSUER", DevTokens.ISSUER);
        // Read only by the gateway, and only in the dev profile: its POST /dev/token for the demo app.
        env.put("EVENTLINE_DEV_SIGNING_KEY_LOCATION", DevTokens.privateKeyFile().toString());
        if (database != null) {
            env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl(database));
            env.put("QUARKUS_DATASOURCE_USERNAME", dbUsername());
            env.put("QUARKUS_DATASOURCE_PASSWORD", dbPassword());
        }
        return env;
    }

    @Override
    public void close() {
        ((Runnable) ops.get("close")).run();
    }

    private static Optional<String> env(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
