package io.eventline.bench.peers;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.eventline.launcher.ChildProcess;
import io.eventline.launcher.Command;
import io.eventline.launcher.LaunchException;

/**
 * The small process and socket helpers the peers share, and how their server processes are run:
 * as a {@link ChildProcess} tree (stopped with SIGTERM, then SIGKILL after 5 s, and by a JVM
 * shutdown hook if still running when the JVM exits), its orphans recognised by their command
 * names and by the peer's own file paths in their command lines.
 */
final class PeerSupport {

    /** Command names (/proc/PID/comm) of the peers' server processes, for the stray sweep. */
    private static final Set<String> SERVER_COMMS = Set.of("nginx", "pushpin", "pushpin-proxy", "pushpin-handler",
            "pushpin-handle", "condure", "zurl", "m2adapter", "mongrel2", "pushpin-connmgr");

    private static final Duration TERM_GRACE = Duration.ofSeconds(5);

    /** A placeholder of a peer's configuration template: ${name}. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-z_]+)}");
    private static final Pattern ERROR_LINE = Pattern.compile("\\[(ERR|emerg|alert|crit|error)\\]",
            Pattern.CASE_INSENSITIVE);

    private PeerSupport() {
    }

    /**
     * Starts {@code command} in {@code workDir}, stdout and stderr to {@code outFile}. Stopped by
     * the shutdown hook unless stopped before. {@code signatures} are absolute file paths (config
     * files, ipc sockets) that occur in the command line of every process of the tree and of no
     * other process: they find orphans whose parent died.
     */
    static ChildProcess start(String name, List<String> command, Path workDir, Path outFile, List<String> signatures) {
        try {
            return ChildProcess.command(name, command).directory(workDir).log(outFile).grace(TERM_GRACE)
                    .strays(SERVER_COMMS, signatures).stopOnExit().start();
        } catch (LaunchException e) {
            throw new PeerStartException(name + ": " + e.getMessage(), e);
        }
    }

    /** Stops leftovers of an earlier run with the same signatures (e.g. after the JVM was killed with SIGKILL). */
    static void reapStrays(List<String> signatures) {
        ChildProcess.reapStrays(SERVER_COMMS, signatures, TERM_GRACE);
    }

    // ---- shared helpers ------------------------------------------------------------------------

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
        try {
            return Command.of(command).run(Duration.ofSeconds(10)).output().trim();
        } catch (LaunchException e) {
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

    /**
     * A peer's configuration file from its template, the resource {@code name} beside {@code peer}
     * ({@code src/main/resources/io/eventline/bench/peers/}), each {@code ${name}} replaced by its
     * value. A placeholder without a value, or a value no placeholder uses, is a bug of ours: it
     * throws instead of writing a configuration the peer would misread.
     */
    static String template(Class<?> peer, String name, Map<String, ?> values) {
        String text;
        try (InputStream in = peer.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no template " + name + " beside " + peer.getName());
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the template " + name, e);
        }
        Set<String> unused = new HashSet<>(values.keySet());
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException(name + ": no value for ${" + m.group(1) + "}");
            }
            unused.remove(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value.toString()));
        }
        m.appendTail(out);
        if (!unused.isEmpty()) {
            throw new IllegalStateException(name + ": no placeholder for " + unused);
        }
        return out.toString();
    }
}
