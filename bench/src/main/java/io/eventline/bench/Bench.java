package io.eventline.bench;

import java.nio.file.Path;
import java.util.List;

import io.eventline.bench.peers.PeerStartException;

/**
 * {@code ./eventline bench <scenario> [--smoke] [--systems a,b]}: runs one scenario, which starts
 * what it needs, runs for a bounded time and writes {@code bench/results/<scenario>-<date>.json}
 * and its charts. {@code --smoke} runs it small (about 100 streams for a few seconds) into
 * {@code bench/target/smoke-results}, as {@code ./mvnw verify} does.
 */
public final class Bench {

    static final List<String> SCENARIOS = List.of("latency", "fanout", "idle", "polling", "storm");

    /**
     * Vert.x logs, with a stack trace each, every connection a server resets and every pending
     * connect failed when a client closes: thousands of lines in a storm or at the end of a peer's
     * run, all expected and all counted by the scenarios themselves. Held here so that the
     * logging system keeps the level (it references loggers weakly).
     */
    private static final List<java.util.logging.Logger> QUIET = List.of(
            java.util.logging.Logger.getLogger("io.vertx.core.net.impl.ConnectionBase"),
            java.util.logging.Logger.getLogger("io.vertx.core.impl.ContextImpl"));

    private Bench() {
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        QUIET.forEach(l -> l.setLevel(java.util.logging.Level.OFF));
        if (args.length == 0 || !SCENARIOS.contains(args[0])) {
            System.err.println("usage: ./eventline bench <" + String.join("|", SCENARIOS) + "> [--smoke] [--systems eventline,nchan,pushpin,trivial]");
            System.exit(2);
        }
        boolean smoke = false;
        List<String> systems = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--systems" -> systems = List.of(args[++i].split(","));
                default -> {
                    System.err.println("eventline bench: unknown option " + args[i]);
                    System.exit(2);
                }
            }
        }
        Path root = Path.of(System.getProperty("eventline.root", ".")).toAbsolutePath().normalize();
        Path results = smoke ? root.resolve("bench/target/smoke-results") : root.resolve("bench/results");
        int code = run(args[0], smoke, results, systems);
        System.exit(code);
    }

    /** Runs a scenario; 0 when it ran (targets are reported, not enforced), 1 when it could not run. */
    public static int run(String scenario, boolean smoke, Path results, List<String> systems) {
        try {
            Limits.ensureOpenFiles(smoke ? 1_000 : 11_000);
            switch (scenario) {
                case "latency" -> Latency.run(smoke, results);
                case "fanout" -> Fanout.run(smoke, results, systems != null ? systems : List.of("eventline", "nchan", "pushpin", "trivial"));
                case "idle" -> Idle.run(smoke, results, systems != null ? systems : List.of("eventline", "nchan", "pushpin"));
                case "polling" -> Polling.run(smoke, results);
                case "storm" -> Storm.run(smoke, results);
                default -> throw new BenchStack.BenchException("unknown scenario " + scenario);
            }
            return 0;
        } catch (BenchStack.BenchException | PeerStartException e) {
            System.err.println("eventline bench " + scenario + ": " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("eventline bench " + scenario + " failed: " + e);
            e.printStackTrace();
            return 1;
        }
    }
}
