package io.eventline.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The one way Eventline runs a long-lived child process (the services of {@code ./eventline up}
 * and of the tests, the benchmarks' gateways and peers): starts a command with its environment,
 * working directory and log file, waits until it is ready, tracks the tree of processes it spawns,
 * and stops that tree: SIGTERM to the root, then, after a grace time, SIGKILL to whatever is left
 * of it and of its descendants (also those orphaned by a parent that died first).
 *
 * <p>It never outlives this JVM: a {@link ProcessGuard} watchdog terminates the tree once this JVM
 * is gone, even after a SIGKILL; children started with {@link Builder#stopOnExit()} are, in
 * addition, stopped by a shutdown hook before the JVM exits.
 */
public final class ChildProcess {

    private static final Set<ChildProcess> STOP_ON_EXIT = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ChildProcess::stopAllOnExit, "child-processes-stop"));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final Duration grace;
    private final Strays strays;
    private final Process watchdog;
    /** Every process of the tree seen so far, root first; handles carry the start time, so no pid reuse confusion. */
    private final Map<Long, ProcessHandle> seen = new LinkedHashMap<>();
    private volatile boolean stopped;

    private ChildProcess(Builder b, Process process) {
        this.name = b.name;
        this.process = process;
        this.log = b.log;
        this.grace = b.grace;
        this.strays = b.strays;
        seen.put(process.pid(), process.toHandle());
        Process guard;
        try {
            guard = ProcessGuard.guard("TERM", (int) Math.max(1, (grace.toMillis() + 999) / 1000), process.pid());
        } catch (RuntimeException e) {
            terminate(List.of(process.toHandle()), strays, grace);
            throw e;
        }
        this.watchdog = guard;
    }

    /** A child named {@code name} (in messages and thread names) that runs {@code command}. */
    public static Builder command(String name, List<String> command) {
        return new Builder(name, command);
    }

    /** How to start a {@link ChildProcess}. */
    public static final class Builder {
        private final String name;
        private final List<String> command;
        private Path directory;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path log;
        private Duration grace = Duration.ofSeconds(5);
        private Strays strays = Strays.NONE;
        private boolean stopOnExit;

        private Builder(String name, List<String> command) {
            if (command.isEmpty()) {
                throw new IllegalArgumentException(name + ": empty command");
            }
            this.name = name;
            this.command = List.copyOf(command);
        }

        /** The working directory (default: this JVM's). */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /** Variables added to (or replacing those of) this JVM's environment. */
        public Builder environment(Map<String, String> environment) {
            this.environment.putAll(environment);
            return this;
        }

        /** Where stdout and stderr go, truncated at start (default: discarded). */
        public Builder log(Path log) {
            this.log = log;
            return this;
        }

        /** How long {@link ChildProcess#stop()} waits after SIGTERM before SIGKILL (default 5 s). */
        public Builder grace(Duration grace) {
            this.grace = grace;
            return this;
        }

        /**
         * How to recognise processes of this tree whose parent died (they are then no longer
         * descendants): their command name ({@code /proc/PID/comm}) is one of {@code commands} and
         * their command line contains one of {@code signatures} (absolute paths of this run's
         * config files or sockets, which no other process names).
         */
        public Builder strays(Set<String> commands, List<String> signatures) {
            this.strays = new Strays(Set.copyOf(commands), List.copyOf(signatures));
            return this;
        }

        /** Also stopped (gracefully, in parallel with the others) by a shutdown hook when the JVM exits. */
        public Builder stopOnExit() {
            this.stopOnExit = true;
            return this;
        }

        /** Starts the process and its watchdog; stdin is /dev/null. */
        public ChildProcess start() {
            ProcessBuilder builder = Command.processBuilder(command, directory, environment, Set.of(),
                    log != null ? ProcessBuilder.Redirect.to(log.toFile()) : ProcessBuilder.Redirect.DISCARD);
            // Registered before the shutdown hook can run without it.
            synchronized (STOP_ON_EXIT) {
                Process process;
                try {
                    process = builder.start();
                } catch (IOException e) {
                    throw new LaunchException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
                }
                ChildProcess started = new ChildProcess(this, process);
                if (stopOnExit) {
                    STOP_ON_EXIT.add(started);
                }
                return started;
            }
        }
    }

    /** How orphans of a tree are recognised; see {@link Builder#strays}. */
    private record Strays(Set<String> commands, List<String> signatures) {
        static final Strays NONE = new Strays(Set.of(), List.of());
    }

    /** The process did not become ready: it exited, or the time was up. */
    public static final class NotReadyException extends LaunchException {
        private final boolean exited;

        NotReadyException(String message, boolean exited) {
            super(message);
            this.exited = exited;
        }

        /** Whether the process exited (rather than running on, not ready). */
        public boolean exited() {
            return exited;
        }
    }

    /**
     * Checks {@code ready} every {@code poll} until it answers true; returns as soon as the process
     * exits or {@code timeout} has passed. The process is left running either way.
     *
     * @throws NotReadyException saying which, with the end of the log
     */
    public void awaitReady(Duration timeout, Duration poll, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new NotReadyException(name + " exited during startup (exit code " + process.exitValue() + "):\n"
                        + logTail(30), true);
            }
            if (ready.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new NotReadyException(name + " not ready within " + seconds(timeout) + " s:\n"
                        + logTail(30), false);
            }
            try {
                process.onExit().get(poll.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // still running: probe again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchException(name + ": interrupted while waiting for it to be ready", e);
            }
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : Double.toString(d.toMillis() / 1000.0);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or -1 while running. */
    public int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Where stdout and stderr go (null if discarded). */
    public Path log() {
        return log;
    }

    /** The last {@code lines} lines of the log. */
    public String logTail(int lines) {
        if (log == null) {
            return "(no log)";
        }
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** The live processes of the tree, root first (empty once stopped); refreshes the set of processes seen. */
    public synchronized List<ProcessHandle> tree() {
        if (stopped) {
            return List.of();
        }
        refresh();
        List<ProcessHandle> live = new ArrayList<>();
        for (ProcessHandle handle : seen.values()) {
            if (handle.isAlive()) {
                live.add(handle);
            }
        }
        return live;
    }

    /** The pids of {@link #tree()}. */
    public List<Long> pids() {
        return tree().stream().map(ProcessHandle::pid).toList();
    }

    /** Resident memory of the tree in bytes. */
    public long rssBytes() {
        return rssBytes(pids());
    }

    /** SIGTERM to the root, up to the grace time for the whole tree, then SIGKILL whatever is left. Idempotent. */
    public void stop() {
        end(false);
    }

    /** SIGKILL to the whole tree at once: nothing gets a chance to close anything (fault tests). Idempotent. */
    public void kill() {
        end(true);
    }

    private void end(boolean now) {
        List<ProcessHandle> all;
        synchronized (this) {
            if (stopped) {
                return;
            }
            refresh();
            all = new ArrayList<>(seen.values());
            stopped = true;
        }
        try {
            terminate(all, strays, now ? Duration.ZERO : grace);
            awaitReaped();
        } finally {
            STOP_ON_EXIT.remove(this);
            watchdog.destroy();
        }
    }

    /**
     * The root's handle reports it gone once it exits, but {@link Process#isAlive} turns false only
     * when the JDK's reaper has collected it: wait for that too, so {@link #isAlive} agrees once stopped.
     */
    private void awaitReaped() {
        try {
            process.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void refresh() {
        for (ProcessHandle handle : List.copyOf(seen.values())) {
            if (handle.isAlive()) {
                handle.descendants().forEach(d -> seen.putIfAbsent(d.pid(), d));
            }
        }
        for (ProcessHandle stray : strays(strays)) {
            seen.putIfAbsent(stray.pid(), stray);
        }
    }

    @Override
    public String toString() {
        return name + "[" + process.pid() + "]";
    }

    private static void stopAllOnExit() {
        Map<Thread, ChildProcess> stopping = new LinkedHashMap<>();
        for (ChildProcess child : List.copyOf(STOP_ON_EXIT)) {
            stopping.put(Thread.ofPlatform().name("stop-" + child.name).start(child::stop), child);
        }
        for (Map.Entry<Thread, ChildProcess> e : stopping.entrySet()) {
            try {
                e.getKey().join(e.getValue().grace.plusSeconds(3));
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Stops leftovers of an earlier run (e.g. after its JVM was killed with SIGKILL and before its
     * watchdog was done): the processes {@link Builder#strays} would recognise, with their descendants.
     */
    public static void reapStrays(Set<String> commands, List<String> signatures, Duration grace) {
        Strays which = new Strays(Set.copyOf(commands), List.copyOf(signatures));
        List<ProcessHandle> found = strays(which);
        if (!found.isEmpty()) {
            List<ProcessHandle> all = new ArrayList<>(found);
            for (ProcessHandle stray : found) {
                stray.descendants().forEach(all::add);
            }
            terminate(all, which, grace);
        }
    }

    /** SIGTERM the first (root) process, wait up to {@code grace} for all, then SIGKILL the rest and their descendants. */
    private static void terminate(List<ProcessHandle> all, Strays strays, Duration grace) {
        if (all.isEmpty()) {
            return;
        }
        if (!grace.isZero()) {
            all.get(0).destroy();
            awaitGone(all, strays, grace);
        }
        // A root that died early leaves its children running: SIGKILL everything still alive.
        for (int round = 0; round < 3 && anyAlive(all, strays); round++) {
            List<ProcessHandle> survivors = new ArrayList<>();
            for (ProcessHandle handle : all) {
                if (handle.isAlive()) {
                    survivors.add(handle);
                    handle.descendants().forEach(survivors::add);
                }
            }
            survivors.addAll(strays(strays));
            survivors.forEach(ProcessHandle::destroyForcibly);
            awaitGone(survivors, Strays.NONE, Duration.ofSeconds(2));
        }
    }

    /** Waits until none of {@code all} (nor a stray) is alive, {@code timeout} at most. */
    private static void awaitGone(List<ProcessHandle> all, Strays strays, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && anyAlive(all, strays)) {
            ProcessHandle alive = all.stream().filter(ProcessHandle::isAlive).findFirst().orElse(null);
            long leftMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                if (alive != null) {
                    alive.onExit().get(Math.min(leftMillis, 50), TimeUnit.MILLISECONDS);
                } else {
                    // only strays left (not our children): poll
                    Thread.sleep(Math.min(leftMillis, 50));
                }
            } catch (TimeoutException | ExecutionException e) {
                // look again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static boolean anyAlive(List<ProcessHandle> all, Strays strays) {
        return all.stream().anyMatch(ProcessHandle::isAlive) || !strays(strays).isEmpty();
    }

    /** Live processes that {@code strays} recognises, whoever their parent is now. */
    private static List<ProcessHandle> strays(Strays strays) {
        if (strays.signatures().isEmpty()) {
            return List.of();
        }
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String fileName = entry.getFileName().toString();
                if (!fileName.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                long pid = Long.parseLong(fileName);
                if (pid == self) {
                    continue;
                }
                try {
                    String comm = Files.readString(entry.resolve("comm"), StandardCharsets.UTF_8).trim();
                    if (!strays.commands().contains(comm)) {
                        continue;
                    }
                    String cmdline = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (strays.signatures().stream().anyMatch(cmdline::contains)) {
                        ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(found::add);
                    }
                } catch (IOException | RuntimeException e) {
                    // exited meanwhile, or not readable: not ours to stop
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return found;
    }

    // ---- what a process costs, from /proc (Linux) -----------------------------------------------

    private static final double TICKS = 100.0; // USER_HZ on Linux

    /** User + system CPU seconds of the processes so far (0 for one that is gone). */
    public static double cpuSeconds(Collection<Long> pids) {
        double total = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS; // utime, stime
            } catch (IOException | RuntimeException e) {
                // gone
            }
        }
        return total;
    }

    /** Resident memory (VmRSS) of the processes in bytes (0 for one that is gone). */
    public static long rssBytes(Collection<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        total += Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024L;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone
            }
        }
        return total;
    }
}
