package io.eventline.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A throwaway directory for one local stack, named after the owning JVM's pid.
 *
 * <p>Directories left by a run that was killed (its pid is gone) are swept on the next start:
 * processes they recorded are stopped first, then the directory is deleted. That is how a stale
 * data directory is "cleaned up" rather than reused half-initialised.
 */
final class RunDirectory {

    static final String PIDS_FILE = "pids";

    private final Path path;

    private RunDirectory(Path path) {
        this.path = path;
    }

    static RunDirectory create() {
        Path base = baseDirectory();
        sweepStale(base);
        Path dir = base.resolve(ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()));
        try {
            Files.createDirectories(dir);
            // PostgreSQL may run as an unprivileged user (when we are root): let it traverse.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RunDirectory(dir);
    }

    static Path baseDirectory() {
        Path base = Path.of(System.getProperty("java.io.tmpdir"), "eventline-local-stack");
        try {
            Files.createDirectories(base);
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system; nothing to relax
        }
        return base;
    }

    Path path() {
        return path;
    }

    Path resolve(String name) {
        return path.resolve(name);
    }

    /** Records a child process so a later sweep can stop it if this JVM dies without cleanup. */
    synchronized void recordPid(long pid) {
        try {
            Files.writeString(path.resolve(PIDS_FILE), pid + "\n", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void delete() {
        deleteRecursively(path);
    }

    static void sweepStale(Path base) {
        try (Stream<Path> dirs = Files.list(base)) {
            for (Path dir : dirs.toList()) {
                Optional<Long> owner = ownerPid(dir);
                if (owner.isEmpty() || ProcessHandle.of(owner.get()).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                stopRecordedProcesses(dir);
                deleteRecursively(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Optional<Long> ownerPid(Path dir) {
        String name = dir.getFileName().toString();
        int dash = name.indexOf('-');
        if (dash <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(name.substring(0, dash)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void stopRecordedProcesses(Path dir) throws IOException {
        Path pids = dir.resolve(PIDS_FILE);
        List<String> lines = Files.exists(pids) ? Files.readAllLines(pids) : List.of();
        for (String line : lines) {
            try {
                ProcessHandle.of(Long.parseLong(line.trim()))
                        .filter(p -> p.info().commandLine().map(c -> c.contains("postgres") || c.contains("kafka"))
                                .orElse(false))
                        .ifPresent(ProcessHandle::destroyForcibly);
            } catch (NumberFormatException ignored) {
                // a torn write from a killed run; nothing to stop
            }
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: a stale directory that cannot be deleted is retried on the next sweep.
        }
    }
}
