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

    /** Starts a watchdog that sends SIGTERM; destroy the returned process to dismiss it. */
    static Process guard(long... pids) {
        return guard("TERM", pids);
    }

    /**
     * Starts a watchdog that sends {@code signal} (then KILL after 10 s) once this JVM is gone.
     * The watchdog ignores HUP and INT: a closed terminal or a Ctrl-C must not take it down before
     * it has done its work (PostgreSQL, for one, survives a HUP).
     */
    static Process guard(String signal, long... pids) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", """
                trap '' HUP INT
                signal=$1; owner=$2; shift 2
                while kill -0 "$owner" 2>/dev/null; do sleep 1; done
                for p in "$@"; do kill -"$signal" "$p" 2>/dev/null; done
                i=0
                while [ $i -lt 10 ]; do
                  alive=0
                  for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
                  [ $alive = 0 ] && exit 0
                  sleep 1; i=$((i+1))
                done
                for p in "$@"; do kill -KILL "$p" 2>/dev/null; done
                """, "eventline-watchdog", signal, Long.toString(ProcessHandle.current().pid())));
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
