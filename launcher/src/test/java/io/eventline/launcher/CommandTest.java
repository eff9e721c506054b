package io.eventline.launcher;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Short commands on real processes: output, exit codes, the environment, and a command that overruns its time. */
class CommandTest {

    @Test
    void stdoutAndStderrAreReadTogetherWithTheExitCode() {
        Command.Result r = Command.of("sh", "-c", "echo out; echo err >&2; exit 3").run(Duration.ofSeconds(10));
        assertEquals(3, r.exitCode());
        assertFalse(r.ok());
        assertEquals("out\nerr\n", r.output());
    }

    @Test
    void multiByteOutputIsDecodedWhole() {
        // 10,000 three-byte characters: more than one pipe read, so a character is split across reads.
        Command.Result r = Command.of("sh", "-c", "i=0; while [ $i -lt 10000 ]; do printf '€'; i=$((i+1)); done")
                .run(Duration.ofSeconds(30));
        assertTrue(r.ok(), r.output());
        assertEquals("€".repeat(10_000), r.output());
    }

    @Test
    void theEnvironmentIsAddedToAndVariablesCanBeRemoved() {
        Command.Result r = Command.of("sh", "-c", "echo \"${ADDED}/${HOME-unset}\"")
                .environment(Map.of("ADDED", "yes")).unset("HOME").run(Duration.ofSeconds(10));
        assertEquals("yes/unset\n", r.output());
    }

    @Test
    void theDirectoryAndTheLogAreTheCommandsOwn(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("out.log");
        Command.Result r = Command.of("sh", "-c", "pwd").directory(dir).log(log).run(Duration.ofSeconds(10));
        assertEquals(dir.toRealPath() + "\n", r.output());
        assertEquals(r.output(), Files.readString(log));
    }

    @Test
    void aCommandStillRunningAtItsLimitIsKilledWithItsDescendantsAndSaysWhatItPrinted(@TempDir Path dir) throws Exception {
        Path pid = dir.resolve("pid");
        LaunchException e = assertThrows(LaunchException.class, () -> Command.of("sh", "-c",
                "sleep 600 & echo $! > " + pid + ".tmp && mv " + pid + ".tmp " + pid + "; echo waiting; wait")
                .run(Duration.ofSeconds(2)));
        assertTrue(e.getMessage().contains("did not finish within 2 s") && e.getMessage().contains("waiting"), e.getMessage());
        ProcessHandle sleeper = ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).orElse(null);
        if (sleeper != null) {
            await().atMost(Duration.ofSeconds(10)).until(() -> !sleeper.isAlive());
        }
    }

    @Test
    void aCommandThatCannotStartSaysWhich() {
        LaunchException e = assertThrows(LaunchException.class,
                () -> Command.of("/nonexistent/eventline-no-such-tool").run(Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("cannot start /nonexistent/eventline-no-such-tool"), e.getMessage());
    }
}
