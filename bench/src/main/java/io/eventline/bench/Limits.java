package io.eventline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The open-files limit: each stream is a socket in the client and one in the server. The soft
 * limit is raised by the launcher ({@code ulimit -n} up to the hard limit); if it is still too
 * low, the scenario stops before it starts and says what to raise.
 */
final class Limits {

    private Limits() {
    }

    static void ensureOpenFiles(int needed) {
        long soft = softLimit();
        if (soft >= 0 && soft < needed) {
            throw new BenchStack.BenchException("the open-files limit is " + soft + " and this scenario needs about " + needed
                    + " per process: raise it (ulimit -n " + needed + ", or LimitNOFILE / limits.conf for the user) and run again");
        }
    }

    /** The soft open-files limit of this process, or -1 if unknown. */
    static long softLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.trim().split("\\s+");
                    return f[3].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[3]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
