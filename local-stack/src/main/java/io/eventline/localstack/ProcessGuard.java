package io.eventline.localstack;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes sure a child process does not outlive the JVM that started it, even when that JVM is
 * killed with SIGKILL and no shutdown hook runs.
 *
 * <p>A JVM cannot ask the kernel to signal its children on death (there is no portable
 * {@code PR_SET_PDEATHSIG}), so each guarded child gets a tiny {@code sh} watchdog that polls
 * for this JVM once a second and, once it is gone, terminates the child (TERM, then KILL).
 */
final class ProcessGuard {

    private ProcessGuard() {
    }

    /** Starts a watchdog for the given process ids; destroy the returned process to dismiss it. */
    static Process guard(long... pids) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", """
                owner=$1; shift
                while kill -0 "$owner" 2>/dev/null; do sleep 1; done
                for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
                i=0
                while [ $i -lt 10 ]; do
                  alive=0
                  for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
                  [ $alive = 0 ] && exit 0
                  sleep 1; i=$((i+1))
                done
                for p in "$@"; do kill -KILL "$p" 2>/dev/null; done
                """, "eventline-watchdog", Long.toString(ProcessHandle.current().pid())));
        for (long pid : pids) {
            command.add(Long.toString(pid));
        }
        try {
            return new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            throw new LocalStackException("cannot start the process watchdog (is 'sh' on PATH?)", e);
        }
    }
}
