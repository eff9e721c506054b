package io.eventline.localstack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** A stack's run directory: what a killed run left behind is swept on the next start. */
class RunDirectoryTest {

    @Test
    void aStaleRunDirectoryFromAKilledRunIsSweptOnTheNextStart() throws Exception {
        Path base = RunDirectory.baseDirectory();
        long deadPid = ProcessHandle.of(4_000_000L).isPresent() ? 4_000_001L : 4_000_000L;
        Path stale = base.resolve(deadPid + "-stale");
        Files.createDirectories(stale.resolve("postgres"));
        Files.writeString(stale.resolve("postgres/PG_VERSION"), "18");
        Files.writeString(stale.resolve(RunDirectory.PIDS_FILE), deadPid + "\n");

        RunDirectory fresh = RunDirectory.create();
        try {
            assertFalse(Files.exists(stale), "the stale directory was swept");
            assertTrue(Files.isDirectory(fresh.path()));
        } finally {
            fresh.delete();
        }
    }
}
