package io.eventline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher on real processes: a child that spawns a grandchild, one that never gets ready, one that dies. */
class ChildProcessTest {

    /** A shell that starts a grandchild (its pid in {@code file}) and waits for it; TERM ends the shell alone. */
    private static List<String> parentOfASleeper(Path file) {
        return List.of("sh", "-c", "sleep 600 & echo $! > " + file + ".tmp && mv " + file + ".tmp " + file + "; wait");
    }

    private static ProcessHandle awaitPidIn(Path file) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file));
        try {
            return ProcessHandle.of(Long.parseLong(Files.readString(file).trim())).orElseThrow();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void stopEndsTheChildAndTheGrandchildItSpawned(@TempDir Path dir) {
        ChildProcess child = ChildProcess.command("parent", parentOfASleeper(dir.resolve("grandchild.pid")))
                .directory(dir).log(dir.resolve("parent.log")).grace(Duration.ofMillis(500)).start();
        ProcessHandle parent = ProcessHandle.of(child.pid()).orElseThrow();
        ProcessHandle grandchild;
        try {
            grandchild = awaitPidIn(dir.resolve("grandchild.pid"));
            assertEquals(List.of(parent.pid(), grandchild.pid()), child.pids(), "the tree, root first");
        } finally {
            child.stop();
        }
        // A handle remembers its process's start time: a reused pid does not count as alive.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertEquals(Map.of(), alive(parent, grandchild)));
        assertEquals(List.of(), child.pids(), "nothing left once stopped");
    }

    @Test
    void aProcessThatNeverGetsReadyFailsWithinTheTimeoutAndSaysSo(@TempDir Path dir) {
        ChildProcess child = ChildProcess.command("never-ready", List.of("sh", "-c", "echo warming up; exec sleep 600"))
                .log(dir.resolve("never-ready.log")).start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> child.logTail(1).contains("warming up"));
            ChildProcess.NotReadyException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(ChildProcess.NotReadyException.class,
                            () -> child.awaitReady(Duration.ofMillis(500), Duration.ofMillis(50), () -> false)));
            assertFalse(e.exited(), e.getMessage());
            assertTrue(e.getMessage().startsWith("never-ready not ready within 0.5 s:\n"), e.getMessage());
            assertTrue(e.getMessage().contains("warming up"), "the log's end in " + e.getMessage());
            assertTrue(child.isAlive(), "left running for the caller to stop");
        } finally {
            child.stop();
        }
        assertFalse(child.isAlive());
    }

    /** The JDK reaps a child on its own thread, a moment after the exit: stop() waits for that (3 % of stops raced it). */
    @Test
    void onceStopReturnsTheProcessIsNotAlive(@TempDir Path dir) {
        for (int i = 0; i < 200; i++) {
            ChildProcess child = ChildProcess.command("sleeper", List.of("sh", "-c", "exec sleep 600"))
                    .log(dir.resolve("sleeper.log")).start();
            child.stop();
            assertFalse(child.isAlive(), "stop " + i + " returned before the process was reaped");
        }
    }

    @Test
    void aProcessThatExitsDuringStartupFailsAtOnceWithItsExitCodeAndLog(@TempDir Path dir) {
        ChildProcess child = ChildProcess.command("crashing", List.of("sh", "-c", "echo config rejected; exit 3"))
                .log(dir.resolve("crashing.log")).start();
        try {
            ChildProcess.NotReadyException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThrows(ChildProcess.NotReadyException.class,
                            () -> child.awaitReady(Duration.ofMinutes(5), Duration.ofMillis(50), () -> false)));
            assertTrue(e.exited(), e.getMessage());
            assertTrue(e.getMessage().startsWith("crashing exited during startup (exit code 3):\n"), e.getMessage());
            assertTrue(e.getMessage().contains("config rejected"), e.getMessage());
            assertEquals(3, child.exitCode());
        } finally {
            child.stop();
        }
    }

    @Test
    void whenTheJvmThatStartedItIsKilledTheWatchdogEndsTheChildAndTheGrandchild(@TempDir Path dir) {
        Path pids = dir.resolve("orphan.pid");
        ChildProcess jvm = ChildProcess.command("owner-jvm", List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m", "-cp",
                System.getProperty("java.class.path"), Owner.class.getName(), dir.toString()))
                .log(dir.resolve("owner-jvm.log")).start();
        ProcessHandle parent;
        ProcessHandle grandchild;
        try {
            parent = awaitPidIn(pids);
            grandchild = awaitPidIn(dir.resolve("grandchild.pid"));
            assertTrue(parent.isAlive() && grandchild.isAlive());
            // SIGKILL to that JVM alone (jvm.kill() would end its whole tree): no shutdown hook runs there.
            ProcessHandle.of(jvm.pid()).ifPresent(ProcessHandle::destroyForcibly);
            // The watchdog looks once a second, sends TERM (the shell dies, its sleep lives on), then KILL after 1 s.
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertEquals(Map.of(), alive(parent, grandchild),
                    "what the killed JVM started (its log: " + jvm.logTail(20) + ")"));
        } finally {
            jvm.kill();
        }
    }

    @Test
    void aWatchdogWhoseChildExitedOnItsOwnExitsTooSoAStalePidIsNeverSignalled() throws Exception {
        Process child = new ProcessBuilder("sh", "-c", "exit 0").start();
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        Process watchdog = ProcessGuard.guard(child.pid());
        try {
            // It holds the bare pid: kept running, it would signal whatever gets that pid next once this JVM exits.
            await().atMost(Duration.ofSeconds(10)).until(() -> !watchdog.isAlive());
        } finally {
            watchdog.destroyForcibly();
        }
    }

    /** Starts {@link #parentOfASleeper} with a 1 s grace, writes its pid to {@code <dir>/orphan.pid}, then waits to be killed. */
    static final class Owner {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            ChildProcess child = ChildProcess.command("orphan", parentOfASleeper(dir.resolve("grandchild.pid")))
                    .grace(Duration.ofSeconds(1)).start();
            Files.writeString(dir.resolve("orphan.pid.tmp"), Long.toString(child.pid()));
            Files.move(dir.resolve("orphan.pid.tmp"), dir.resolve("orphan.pid"));
            new CountDownLatch(1).await();
        }
    }

    private static Map<Long, String> alive(ProcessHandle... handles) {
        Map<Long, String> alive = new TreeMap<>();
        for (ProcessHandle h : handles) {
            if (h.isAlive()) {
                alive.put(h.pid(), h.info().commandLine().orElse("?"));
            }
        }
        return alive;
    }
}
