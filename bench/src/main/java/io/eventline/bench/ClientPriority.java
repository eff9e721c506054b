package io.eventline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.eventline.launcher.Command;
import io.eventline.launcher.LaunchException;
import io.vertx.core.json.JsonObject;

/**
 * Gives the load generator's threads the CPU first. On one 2-core machine the client shares the
 * cores with the system it measures; when they are saturated the kernel's fair scheduler gives the
 * client's few threads the same share as each of the dozens of server threads, and the client
 * reads late: its percentiles then measure its own wait for a core, not the system. Lowering the
 * client threads' nice value (as root) lets the client run whenever it has work, which is what a
 * client on its own machine would do. The servers get every cycle the client does not use.
 *
 * <p>Only the scenarios that time single deliveries use it ({@code latency}, {@code polling}). In
 * {@code fanout} the client needs more than a core at 100 000 deliveries/s; given priority, it
 * starves the server it measures (even the trivial source then sustained only 50 000/s), so there
 * the client and the server share the cores fairly and the trivial source shows the client's
 * ceiling.
 *
 * <p>Linux nice values are per thread: this renices the Vert.x event-loop threads that exist when
 * it is called, so call it once the client's event loops are running. What it did goes into the
 * JSON.
 */
final class ClientPriority {

    /** The nice value given to the client's threads (the servers stay at 0). */
    static final int NICE = -10;

    /** What the last call did, for the report. */
    static volatile JsonObject last;

    private ClientPriority() {
    }

    static JsonObject raise() {
        List<String> threads = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            // Only the event loops: a thread that starts a server process (the main thread) must
            // stay at 0, since a child inherits the nice value of the thread that forks it.
            tasks.filter(t -> comm(t).startsWith("vert.x-eventloo")).forEach(t -> threads.add(t.getFileName().toString()));
        } catch (IOException e) {
            return new JsonObject().put("nice", 0).put("note", "cannot list this process's threads: " + e.getMessage());
        }
        if (threads.isEmpty()) {
            return new JsonObject().put("nice", 0).put("note", "no event-loop threads yet");
        }
        List<String> command = new ArrayList<>(List.of("renice", "-n", Integer.toString(NICE), "-p"));
        command.addAll(threads);
        String failure = null;
        try {
            Command.Result renice = Command.of(command).run(Duration.ofSeconds(10));
            if (!renice.ok()) {
                failure = renice.output().lines().findFirst().orElse("renice failed");
            }
        } catch (LaunchException e) {
            failure = e.getMessage();
        }
        long raised = threads.stream().filter(t -> niceOf(t) == NICE).count();
        if (failure != null || raised == 0) {
            System.out.println("▸ note: the client's threads keep nice 0 (" + (failure != null ? failure : "renice had no effect")
                    + "); on a saturated machine its figures include its own wait for a core");
        } else {
            System.out.println("▸ the client's " + raised + " threads run at nice " + NICE + " (the servers at 0)");
        }
        last = new JsonObject().put("nice", raised > 0 ? NICE : 0).put("threads", threads.size()).put("threadsRaised", raised)
                .put("note", failure);
        return last;
    }

    private static String comm(Path task) {
        try {
            return Files.readString(task.resolve("comm")).trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static int niceOf(String tid) {
        try {
            String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[16]); // field 19 of stat, counted from the state (field 3)
        } catch (IOException | RuntimeException e) {
            return Integer.MIN_VALUE;
        }
    }
}
