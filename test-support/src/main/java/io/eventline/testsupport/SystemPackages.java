package io.eventline.testsupport;

import org.opentest4j.TestAbortedException;

/**
 * Tests that need a program from the system's packages (Chromium, nginx with Nchan, Pushpin): on a
 * developer's machine without it they are skipped, with one loud line naming what to install; with
 * {@code -Deventline.require-system-packages=true} (what CI sets) they fail instead, so CI never
 * skips them silently.
 */
public final class SystemPackages {

    public static final String REQUIRED = "eventline.require-system-packages";

    private SystemPackages() {
    }

    /** Returns when {@code present}; else skips the test, or fails it where the packages are required. */
    public static void require(boolean present, String what, String install) {
        if (present) {
            return;
        }
        String message = what + " needs " + install;
        if (Boolean.getBoolean(REQUIRED)) {
            throw new AssertionError(message + " (-D" + REQUIRED + "=true: required here)");
        }
        System.err.println("\n*** SKIPPED: " + message + " — install it, or pass -D" + REQUIRED
                + "=true to make this a failure ***\n");
        throw new TestAbortedException(message);
    }
}
