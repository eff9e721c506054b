package io.eventline.launcher;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The one way Eventline runs a short command to its end ({@code pg_ctl}, {@code jcmd},
 * {@code renice}, Kafka's storage tool, a {@code node} test run): stdin is /dev/null, stdout and
 * stderr are read together, and a command still running at its time limit is killed with its
 * descendants. Long-lived processes are {@link ChildProcess}es.
 */
public final class Command {

    /** How the command exited, and what it printed (stdout and stderr, UTF-8). */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private final List<String> command;
    private Path directory;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Set<String> unset = new LinkedHashSet<>();
    private Path log;

    private Command(List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        this.command = List.copyOf(command);
    }

    public static Command of(List<String> command) {
        return new Command(command);
    }

    public static Command of(String... command) {
        return new Command(List.of(command));
    }

    /** The working directory (default: this JVM's). */
    public Command directory(Path directory) {
        this.directory = directory;
        return this;
    }

    /** Variables added to (or replacing those of) this JVM's environment. */
    public Command environment(Map<String, String> environment) {
        this.environment.putAll(environment);
        return this;
    }

    /** A variable of this JVM's environment that the command must not see. */
    public Command unset(String name) {
        this.unset.add(name);
        return this;
    }

    /** Also keeps the output in {@code log} (truncated at start, written as it comes: a hang leaves it there to read). */
    public Command log(Path log) {
        this.log = log;
        return this;
    }

    /**
     * Runs the command and waits for its end. Throws {@link LaunchException} when it cannot start,
     * or is still running after {@code timeout} (it is then killed, and the message holds the end
     * of what it printed).
     */
    public Result run(Duration timeout) {
        Process process;
        try {
            process = processBuilder(command, directory, environment, unset,
                    log != null ? ProcessBuilder.Redirect.to(log.toFile()) : ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new LaunchException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Thread reader = log != null ? null : Thread.ofVirtual().name("command-output").start(() -> {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(bytes);
            } catch (IOException e) {
                // the process was killed
            }
        });
        try {
            boolean ended = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!ended) {
                killTree(process);
            }
            if (reader != null) {
                reader.join(2_000);
            }
            String output = output(bytes);
            if (!ended) {
                throw new LaunchException(this + " did not finish within " + timeout.toSeconds() + " s; it printed: "
                        + output.substring(Math.max(0, output.length() - 2_000)));
            }
            return new Result(process.exitValue(), output);
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while running " + this, e);
        }
    }

    private String output(ByteArrayOutputStream bytes) {
        if (log == null) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static void killTree(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(0, process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }

    /** How every child of the launcher is set up: stdout and stderr together to {@code output}, stdin /dev/null. */
    static ProcessBuilder processBuilder(List<String> command, Path directory, Map<String, String> environment,
            Set<String> unset, ProcessBuilder.Redirect output) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(output);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().keySet().removeAll(unset);
        builder.environment().putAll(environment);
        return builder;
    }
}
