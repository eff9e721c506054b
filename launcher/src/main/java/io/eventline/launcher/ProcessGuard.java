package io.eventline.launcher;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes sure a child process does not outlive the JVM that started it, even when that JVM is
 * killed with SIGKILL and no shutdown hook runs.
 *
 * <p>A JVM cannot ask the kernel to signal its children on death (there is no portable
 * {@code PR_SET_PDEATHSIG}), so each guarded child gets a tiny {@code sh} watchdog that polls
 * for this JVM once a second and, once it is gone, terminates the child (TERM, then KILL, the
 * KILL to its descendants too). A watchdog whose children have all exited on their own exits too,
 * within a second: it holds bare pids, and a pid the kernel has handed to another process since
 * must never be signalled, let alone the tree below it.
 */
public final class ProcessGuard {

    private ProcessGuard() {
    }

    /** Starts a watchdog that sends SIGTERM; destroy the returned process to dismiss it. */
    public static Process guard(long... pids) {
        return guard("TERM", pids);
    }

    /** {@link #guard(String, int, long...)} with 10 s between {@code signal} and KILL. */
    public static Process guard(String signal, long... pids) {
        return guard(signal, 10, pids);
    }

    /**
     * Starts a watchdog that, once this JVM is gone, sends {@code signal} to {@code pids} and, after
     * {@code graceSeconds}, KILL to whatever is left of them and of their descendants (taken when
     * this JVM was found gone, before the signal: a parent that dies first orphans its children).
     * The watchdog ignores HUP and INT: a closed terminal or a Ctrl-C must not take it down before
     * it has done its work (PostgreSQL, for one, survives a HUP).
     */
    public static Process guard(String signal, int graceSeconds, long... pids) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", """
                trap '' HUP INT
                signal=$1; grace=$2; owner=$3; shift 3
                while kill -0 "$owner" 2>/dev/null; do
                  gone=1
                  for p in "$@"; do kill -0 "$p" 2>/dev/null && gone=0; done
                  [ $gone = 1 ] && exit 0
                  sleep 1
                done
                tree=$(ps -A -o pid= -o ppid= 2>/dev/null | awk -v roots="$*" '
                  BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
                  { parent[$1] = $2 }
                  END {
                    for (grown = 1; grown;) {
                      grown = 0
                      for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grown = 1 }
                    }
                    for (p in keep) print p
                  }')
                [ -n "$tree" ] || tree="$*"
                for p in "$@"; do kill -"$signal" "$p" 2>/dev/null; done
                i=0
                while [ $i -lt "$grace" ]; do
                  alive=0
                  for p in $tree; do kill -0 "$p" 2>/dev/null && alive=1; done
                  [ $alive = 0 ] && exit 0
                  sleep 1; i=$((i+1))
                done
                for p in $tree; do kill -KILL "$p" 2>/dev/null; done
                """, "eventline-watchdog", signal, Integer.toString(graceSeconds),
                Long.toString(ProcessHandle.current().pid())));
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
            throw new LaunchException("cannot start the process watchdog (is 'sh' on PATH?)", e);
        }
    }
}
