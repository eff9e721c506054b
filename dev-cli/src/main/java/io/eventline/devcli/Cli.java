package io.eventline.devcli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.eventline.launcher.ServiceProcess;
import io.eventline.localstack.DevTokens;
import io.eventline.localstack.LocalStack;
import io.eventline.localstack.LocalStackException;

/**
 * The Java half of {@code ./eventline}: {@code up} runs PostgreSQL, Kafka and the four services,
 * and {@code token} mints a development JWT. The shell script finds the JDK and builds first.
 */
public final class Cli {

    /**
     * A service of the system: module, public port, management port ({@code /q/*}), database (null
     * for none); each port can be overridden ({@link #portVariable}, {@link #managementPortVariable}).
     */
    record Service(String module, int defaultPort, int defaultManagementPort, String database) {
        int port() {
            String override = System.getenv(portVariable());
            return override == null ? defaultPort : Integer.parseInt(override);
        }

        int managementPort() {
            String override = System.getenv(managementPortVariable());
            return override == null ? defaultManagementPort : Integer.parseInt(override);
        }

        String portVariable() {
            return "EVENTLINE_" + key() + "_PORT";
        }

        String managementPortVariable() {
            return "EVENTLINE_" + key() + "_MANAGEMENT_PORT";
        }

        private String key() {
            return module.replace("-service", "").toUpperCase();
        }
    }

    static final List<Service> SERVICES = List.of(
            new Service("events-service", 8081, 9081, "events"),
            new Service("messaging-service", 8082, 9082, "messaging"),
            new Service("notification-service", 8083, 9083, "notifications"),
            new Service("gateway", 8080, 9080, null));

    record Persona(String sub, String role, String name) {
    }

    static final List<Persona> PERSONAS = List.of(
            new Persona("pat", "partner", "Pat Partner"),
            new Persona("ada", "admin", "Ada Admin"),
            new Persona("uma", "user", "Uma User"));

    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(150);
    private static final PrintStream OUT = System.out;

    private Cli() {
    }

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "help" : args[0];
        List<String> rest = List.of(args).subList(Math.min(1, args.length), args.length);
        int status = switch (command) {
            case "up" -> up(rest);
            case "token" -> token(rest);
            default -> help();
        };
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The commands are described once, in the {@code eventline} script, which works before a build. */
    private static int help() {
        System.err.println("usage: ./eventline <command>; ./eventline help lists them");
        return 2;
    }

    static int token(List<String> args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || i + 1 >= args.size()) {
                System.err.println("eventline token: expected --option value pairs, got '" + a + "'");
                return 2;
            }
            opts.put(a.substring(2), args.get(++i));
        }
        try {
            long ttl = Long.parseLong(opts.getOrDefault("ttl", "43200"));
            if (ttl <= 0) {
                throw new IllegalArgumentException("--ttl must be a positive number of seconds");
            }
            OUT.println(DevTokens.mint(opts.get("sub"), opts.get("role"), opts.get("name"), Duration.ofSeconds(ttl)));
            return 0;
        } catch (NumberFormatException e) {
            System.err.println("eventline token: --ttl must be a number of seconds");
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("eventline token: " + e.getMessage() + " (usage: --sub ID --role partner|admin|user)");
            return 2;
        }
    }

    /**
     * The address the services listen on: loopback, because the gateway's {@code POST /dev/token}
     * mints admin tokens for whoever reaches it; every interface only when asked for, by
     * {@code --lan} or {@code EVENTLINE_BIND=0.0.0.0} (the variable docker-compose reads too). Null
     * for an argument or a value it does not know.
     */
    static String bindHost(List<String> args, String bindVariable) {
        String host = bindVariable == null || bindVariable.isBlank() ? "127.0.0.1" : bindVariable.strip();
        if (!host.equals("127.0.0.1") && !host.equals("0.0.0.0")) {
            return null;
        }
        for (String arg : args) {
            if (!arg.equals("--lan")) {
                return null;
            }
            host = "0.0.0.0";
        }
        return host;
    }

    private static int up(List<String> args) throws InterruptedException {
        boolean infra = args.contains("--infra");
        List<String> bindArgs = args.stream().filter(a -> !a.equals("--infra")).toList();
        String host = bindHost(bindArgs, System.getenv("EVENTLINE_BIND"));
        if (host == null) {
            System.err.println("eventline: up takes --detach, --lan and --infra (EVENTLINE_BIND: 127.0.0.1 or 0.0.0.0), not "
                    + args + " / EVENTLINE_BIND=" + System.getenv("EVENTLINE_BIND"));
            return 2;
        }
        Path root = Path.of(System.getProperty("eventline.root", ".")).toAbsolutePath().normalize();
        for (Service s : SERVICES) {
            if (!portFree(s.port())) {
                System.err.printf("eventline: port %d (%s) is already in use by another process; free it or set %s%n",
                        s.port(), s.module(), s.portVariable());
                return 2;
            }
            if (!portFree(s.managementPort())) {
                System.err.printf("eventline: port %d (%s's management port) is already in use by another process; free it or set %s%n",
                        s.managementPort(), s.module(), s.managementPortVariable());
                return 2;
            }
            if (!infra && !Files.exists(jar(root, s))) {
                System.err.println("eventline: " + jar(root, s) + " is missing; run ./eventline up (it builds) or ./mvnw package");
                return 2;
            }
        }
        long t0 = System.nanoTime();
        OUT.println("▸ starting PostgreSQL and Kafka …");
        LocalStack stack = LocalStack.start();
        OUT.printf("  PostgreSQL on 127.0.0.1:%d, Kafka on %s (%.1f s)%n", stack.postgresPort(),
                stack.kafkaBootstrapServers(), seconds(t0));

        Path logs = root.resolve(".eventline/logs");
        List<ServiceProcess> running = new ArrayList<>();
        List<Path> devEnvFiles = new ArrayList<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            OUT.println("\n▸ stopping …");
            running.reversed().forEach(ServiceProcess::stop);
            devEnvFiles.forEach(file -> quietly(() -> Files.deleteIfExists(file)));
            quietly(stack::close);
            quietly(() -> Files.deleteIfExists(root.resolve(".eventline/up.pid")));
            OUT.println("  stopped.");
            stopped.countDown();
        }, "eventline-stop"));
        try {
            Files.createDirectories(logs);
            Files.writeString(root.resolve(".eventline/up.pid"), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new LocalStackException("cannot write to " + logs + ": " + e.getMessage(), e);
        }

        if (infra) {
            for (Service s : SERVICES) {
                devEnvFiles.add(writeDevEnv(root, s, env(stack, s, host)));
            }
            printInfraSummary(stack, devEnvFiles, t0);
            stopped.await();
            return 0;
        }

        OUT.println("▸ starting the services …");
        for (Service s : SERVICES) {
            running.add(ServiceProcess.start(root, s.module(), s.port(), env(stack, s, host), logs));
        }
        if (!awaitHealthy(running, t0)) {
            return 1; // the shutdown hook stops what was started
        }
        printSummary(running, t0, host);
        stopped.await();
        return 0;
    }

    /** The gateway runs with the heap and collector it has in production; the services small (ServiceProcess's default). */
    static String javaOpts(String module) {
        return module.equals("gateway") ? ServiceProcess.GATEWAY_JAVA_OPTS : null;
    }

    private static Map<String, String> env(LocalStack stack, Service s, String host) {
        // A developer's run: the dev profile (readable logs, dev-only endpoints) on the packaged jars.
        Map<String, String> env = new LinkedHashMap<>(stack.serviceEnv(s.database()));
        env.put("QUARKUS_HTTP_HOST", host);
        // /q/* (health, metrics, OpenAPI) on loopback only, even for a LAN demo.
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(s.managementPort()));
        String javaOpts = javaOpts(s.module());
        if (javaOpts != null) {
            env.put("JAVA_OPTS", javaOpts);
        }
        for (Service other : SERVICES) {
            if (other.database() != null) {
                String key = other.module().replace("-service", "").toUpperCase();
                // 127.0.0.1, which every bind reaches (localhost may resolve to ::1 first).
                env.put("EVENTLINE_" + key + "_URL", "http://127.0.0.1:" + other.port());
                env.put("EVENTLINE_" + key + "_MANAGEMENT_URL", "http://127.0.0.1:" + other.managementPort());
            }
        }
        return env;
    }

    /**
     * What {@code ./mvnw quarkus:dev -pl <module>} needs to run against this stack, as the module's
     * {@code .env} (dev mode reads it from the module's directory): the variables the packaged run
     * gets, and the module's port. Each name carries the dev profile's prefix ({@code _DEV_}), since
     * the tests read the same file and an unprofiled entry there would override their {@code %test}
     * settings. Deleted when the stack stops, since its ports die with it.
     */
    static Path writeDevEnv(Path root, Service s, Map<String, String> env) {
        Path file = root.resolve(s.module()).resolve(".env");
        StringBuilder text = new StringBuilder("# Written by ./eventline up --infra for ./mvnw quarkus:dev -pl ")
                .append(s.module()).append("; deleted when it stops.\n");
        Map<String, String> dev = new LinkedHashMap<>(env);
        dev.remove("QUARKUS_PROFILE"); // dev mode runs the dev profile itself
        dev.put("QUARKUS_HTTP_PORT", Integer.toString(s.port()));
        dev.forEach((name, value) -> text.append("_DEV_").append(name).append('=').append(value).append('\n'));
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new LocalStackException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    private static void printInfraSummary(LocalStack stack, List<Path> devEnvFiles, long t0) {
        OUT.printf("%n✔ PostgreSQL and Kafka are up in %.1f s; no service was started%n", seconds(t0));
        OUT.println("  PostgreSQL        127.0.0.1:" + stack.postgresPort() + " (user " + stack.dbUsername() + ")");
        OUT.println("  Kafka             " + stack.kafkaBootstrapServers());
        OUT.println("  written           " + devEnvFiles.stream().map(f -> f.getParent().getFileName() + "/.env").toList());
        OUT.println("\n  run a service in dev mode (live reload, Dev UI at /q/dev-ui), one terminal each:");
        for (Service s : SERVICES) {
            OUT.printf("    ./mvnw quarkus:dev -pl %-21s # http://127.0.0.1:%d, /q/health on :%d%n", s.module(), s.port(),
                    s.managementPort());
        }
        OUT.println("\n  Ctrl-C stops everything.");
        OUT.flush();
    }

    private static boolean awaitHealthy(List<ServiceProcess> services, long t0) throws InterruptedException {
        List<ServiceProcess> waiting = new ArrayList<>(services);
        long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
        while (!waiting.isEmpty()) {
            for (var it = waiting.iterator(); it.hasNext();) {
                ServiceProcess s = it.next();
                if (!s.isAlive()) {
                    System.err.printf("eventline: %s exited during startup; the end of %s:%n%s%n", s.name(), s.log(),
                            s.logTail(25));
                    return false;
                }
                if (s.isReady()) {
                    OUT.printf("  %-21s ready on %s (%.1f s)%n", s.name(), s.url(), seconds(t0));
                    it.remove();
                }
            }
            if (System.nanoTime() > deadline) {
                System.err.println("eventline: not healthy within " + HEALTH_TIMEOUT.toSeconds() + " s: "
                        + waiting.stream().map(s -> s.name() + " (log: " + s.log() + ")").toList());
                return false;
            }
            Thread.sleep(200);
        }
        return true;
    }

    private static void printSummary(List<ServiceProcess> services, long t0, String host) {
        ServiceProcess gateway = services.stream().filter(s -> s.name().equals("gateway")).findFirst().orElseThrow();
        OUT.printf("%n✔ Eventline is up in %.1f s%n", seconds(t0));
        OUT.println("  demo app          " + gateway.url() + "/  (pick a persona: partner, admin or user)");
        OUT.println("  gateway           " + gateway.url());
        OUT.println("  health            " + gateway.managementUrl() + "/q/health/ready  (every /q/* is on the management ports: "
                + services.stream().map(s -> Integer.toString(s.managementPort())).toList() + ")");
        OUT.println("  logs              .eventline/logs/");
        OUT.println("  listening on      " + host + (host.equals("127.0.0.1") ? " only (./eventline up --lan for a LAN demo)"
                : "  (NOT loopback: anyone who reaches it can mint admin tokens with POST /dev/token)"));
        OUT.println("\n  tokens (12 h, development key only):");
        for (Persona p : PERSONAS) {
            OUT.printf("    %-8s %-4s  %s%n", p.role(), p.sub(),
                    DevTokens.mint(p.sub(), p.role(), p.name(), Duration.ofHours(12)));
        }
        OUT.println("\n  Ctrl-C stops everything.");
        OUT.flush();
    }

    private static Path jar(Path root, Service s) {
        return root.resolve(s.module()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void quietly(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            System.err.println("  (while stopping: " + e.getMessage() + ")");
        }
    }
}
