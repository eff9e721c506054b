package io.eventline.devcli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import java.time.Duration;
import io.eventline.launcher.Command;

/** The JDK finder that {@code ./eventline} and the other scripts use ({@code bin/find-jdk.sh}). */
class FindJdkTest {

    private static final Path FIND_JDK = Path.of("..", "bin", "find-jdk.sh").toAbsolutePath().normalize();

    @Test
    void theJdkFinderPicksAJdk21OrNewerWhenTheDefaultJavaIsOlder() throws Exception {
        String javaHome = System.getProperty("java.home");
        Command.Result r = findJdk(Map.of("EVENTLINE_JDK_DIRS", javaHome, "PATH", "/usr/bin:/bin"));
        assertEquals(0, r.exitCode(), r.output());
        assertEquals(Path.of(javaHome).toRealPath().toString(), r.output().trim());
    }

    @Test
    void withoutAJdk21TheFinderSaysWhatToInstallInOneLine() throws Exception {
        Command.Result r = findJdk(Map.of("EVENTLINE_JDK_DIRS", "/nonexistent", "PATH", "/nonexistent"));
        assertEquals(1, r.exitCode());
        List<String> lines = r.output().lines().toList();
        assertEquals(1, lines.size(), r.output());
        assertTrue(lines.get(0).contains("no JDK 21 or newer found") && lines.get(0).contains("install"), lines.get(0));
    }

    private static Command.Result findJdk(Map<String, String> env) {
        return Command.of("sh", "-c", ". \"$1\" && eventline_find_jdk && echo \"$JAVA_HOME\"", "sh", FIND_JDK.toString())
                .unset("JAVA_HOME").environment(env).run(Duration.ofSeconds(30));
    }
}
