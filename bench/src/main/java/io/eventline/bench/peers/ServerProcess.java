package io.eventline.bench.peers;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One server process started by a peer, with everything it spawns: tracks the process tree (so
 * grandchildren are stopped even if their parent died first), stops it with SIGTERM then SIGKILL
 * after 5 s, and is stopped by a JVM shutdown hook if still running when the JVM exits. Also the
 * small process and socket helpers the peers share.
 */
final class ServerProcess {

    /** Command names (/proc/PID/comm) of the peers' server processes, for the stray sweep. */
    private static final Set<String> SERVER_COMMS = Set.of("nginx", "pushpin", "pushpin-proxy", "pushpin-handler",
            "pushpin-handle", "condure", "zurl", "m2adapter", "mongrel2", "pushpin-connmgr");

    private static final long TERM_GRACE_MILLIS = 5_000;

    private static final Pattern ERROR_LINE = Pattern.compile("\\[(ERR|emerg|alert|crit|error)\\]",
            Pattern.CASE_INSENSITIVE);

    private static final Set<ServerProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ServerProcess::stopAllOnExit, "peers-shutdown"));
    }

    private final String name;
    private final Process process;
    /** Paths that appear only in the command lines of this server's processes (see {@link #strays}). */
    private final List<String> signatures;
    /** Every process of the tree seen so far, root first; handles carry the start time, so no pid reuse confusion. */
    private final Map<Long, ProcessHandle> seen = new LinkedHashMap<>();
    private volatile boolean stopped;

    private ServerProcess(String name, Process process, List<String> signatures) {
        this.name = name;
        this.process = process;
        this.signatures = List.copyOf(signatures);
        seen.put(process.pid(), process.toHandle());
    }

    /**
     * Starts {@code command} in {@code workDir}, stdout and stderr appended to {@code outFile}.
     * Registered for the shutdown hook before this returns. {@code signatures} are absolute file
     * paths (config files, ipc sockets) that occur in the command line of every process of the tree
     * and of no other process: they find orphans whose parent died (see {@link #strays}).
     */
    static ServerProcess start(String name, List<String> command, Path workDir, Path outFile, List<String> signatures) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(outFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process process;
        synchronized (LIVE) {
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new PeerStartException(name + ": cannot run " + command.get(0) + " (" + e.getMessage() + ")", e);
            }
            ServerProcess started = new ServerProcess(name, process, signatures);
            LIVE.add(started);
            return started;
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code, or -1 while running. */
    int exitCode() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** The live processes of the tree, root first; refreshes the set of processes seen. */
    synchronized List<ProcessHandle> tree() {
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

    List<Long> pids() {
        return tree().stream().map(ProcessHandle::pid).toList();
    }

    long rssBytes() {
        long total = 0;
        for (ProcessHandle handle : tree()) {
            total += rssBytes(handle.pid());
        }
        return total;
    }

    /** SIGTERM to the root, wait up to 5 s for the whole tree, then SIGKILL whatever is left. Idempotent. */
    void stop() {
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
            terminate(all, signatures);
        } finally {
            LIVE.remove(this);
        }
    }

    private void refresh() {
        List<ProcessHandle> roots = new ArrayList<>(seen.values());
        for (ProcessHandle handle : roots) {
            if (handle.isAlive()) {
                handle.descendants().forEach(d -> seen.putIfAbsent(d.pid(), d));
            }
        }
        // Orphans of a dead parent are no longer descendants: find them by their command line.
        for (ProcessHandle stray : strays(signatures)) {
            seen.putIfAbsent(stray.pid(), stray);
        }
    }

    @Override
    public String toString() {
        return name + "[" + process.pid() + "]";
    }

    private static void stopAllOnExit() {
        List<Thread> threads = new ArrayList<>();
        for (ServerProcess server : List.copyOf(LIVE)) {
            Thread thread = new Thread(server::stop, "peers-stop-" + server.name);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join(TERM_GRACE_MILLIS + 3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops leftovers of an earlier run with the same signatures (e.g. after the JVM was killed with SIGKILL). */
    static void reapStrays(List<String> signatures) {
        List<ProcessHandle> strays = strays(signatures);
        if (!strays.isEmpty()) {
            List<ProcessHandle> all = new ArrayList<>(strays);
            for (ProcessHandle stray : strays) {
                stray.descendants().forEach(all::add);
            }
            terminate(all, signatures);
        }
    }

    /** SIGTERM the first (root) process, wait up to 5 s for all, then SIGKILL the rest and their descendants. */
    private static void terminate(List<ProcessHandle> all, List<String> signatures) {
        if (all.isEmpty()) {
            return;
        }
        all.get(0).destroy();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TERM_GRACE_MILLIS);
        while (System.nanoTime() < deadline && anyAlive(all, signatures)) {
            sleep(50);
        }
        // A root that died early leaves its children running: SIGKILL everything still alive.
        for (int round = 0; round < 3 && anyAlive(all, signatures); round++) {
            List<ProcessHandle> survivors = new ArrayList<>();
            for (ProcessHandle handle : all) {
                if (handle.isAlive()) {
                    survivors.add(handle);
                    handle.descendants().forEach(survivors::add);
                }
            }
            survivors.addAll(strays(signatures));
            for (ProcessHandle handle : survivors) {
                handle.destroyForcibly();
            }
            long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < killDeadline && survivors.stream().anyMatch(ProcessHandle::isAlive)) {
                sleep(20);
            }
        }
    }

    private static boolean anyAlive(List<ProcessHandle> all, List<String> signatures) {
        return all.stream().anyMatch(ProcessHandle::isAlive) || !strays(signatures).isEmpty();
    }

    /**
     * Live server processes (by /proc/PID/comm) whose command line contains one of
     * {@code signatures}: those belong to the peer that uses these files, whoever their parent is now.
     */
    static List<ProcessHandle> strays(List<String> signatures) {
        if (signatures.isEmpty()) {
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
                    if (!SERVER_COMMS.contains(comm)) {
                        continue;
                    }
                    String cmdline = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    if (signatures.stream().anyMatch(cmdline::contains)) {
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

    // ---- shared helpers ------------------------------------------------------------------------

    /** VmRSS of one process in bytes, 0 if it is gone. */
    static long rssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }


    /** The executable for a command name on PATH, or a path given with a slash, if it is executable. */
    static Optional<Path> findExecutable(String command) {
        if (command.contains("/")) {
            Path path = Path.of(command);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String pathVariable = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : (pathVariable + ":/usr/sbin:/sbin").split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, command);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Runs a short command (10 s at most) and returns its stdout and stderr, trimmed; "" if it fails. */
    static String output(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        } catch (IOException e) {
            return "";
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(bytes);
            } catch (IOException e) {
                // the process was killed
            }
        });
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
                tree.add(0, process.toHandle());
                tree.forEach(ProcessHandle::destroyForcibly);
                reader.join(2_000);
                return "";
            }
            reader.join(2_000);
            return bytes.toString(StandardCharsets.UTF_8).trim();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return "";
        }
    }

    /**
     * The status code of {@code GET path} on 127.0.0.1:port (HTTP/1.1, Connection: close), or -1
     * if it cannot connect or gets no status line within {@code timeoutMillis}.
     */
    static int httpStatus(int port, String path, int timeoutMillis) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != -1 && c != '\n' && line.length() < 200) {
                line.append((char) c);
            }
            String[] parts = line.toString().trim().split(" ");
            if (parts.length >= 2 && parts[0].startsWith("HTTP/")) {
                return Integer.parseInt(parts[1]);
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The last {@code lines} non-blank lines of each existing file, as one line: "file: a | b | c".
     */
    static String tail(int lines, Path... files) {
        StringBuilder out = new StringBuilder();
        for (Path file : files) {
            if (file == null || !Files.isRegularFile(file)) {
                continue;
            }
            List<String> all;
            try {
                all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                continue;
            }
            List<String> nonBlank = all.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
            if (nonBlank.isEmpty()) {
                continue;
            }
            int from = Math.max(0, nonBlank.size() - lines);
            List<String> last = nonBlank.subList(from, nonBlank.size());
            if (out.length() > 0) {
                out.append(" || ");
            }
            out.append(file.getFileName()).append(": ");
            // The first error often explains the rest: keep it even when it is not among the last lines.
            for (int i = 0; i < from; i++) {
                String line = nonBlank.get(i);
                if (ERROR_LINE.matcher(line).find()) {
                    out.append(line.length() > 300 ? line.substring(0, 300) + "..." : line).append(" | ... | ");
                    break;
                }
            }
            for (int i = 0; i < last.size(); i++) {
                String line = last.get(i);
                out.append(i == 0 ? "" : " | ").append(line.length() > 300 ? line.substring(0, 300) + "..." : line);
            }
        }
        return out.length() == 0 ? "(no log output)" : out.toString();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PeerStartException("interrupted", e);
        }
    }
}
