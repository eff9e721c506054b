package io.eventline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.vertx.core.json.JsonObject;

/** What a result was measured on. */
final class Machine {

    private Machine() {
    }

    static JsonObject describe() {
        String cpu = "unknown";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException ignored) {
            // not Linux
        }
        return new JsonObject().put("cpus", Runtime.getRuntime().availableProcessors()).put("cpu", cpu)
                .put("memoryGiB", Math.round(totalMemoryGiB())).put("os", System.getProperty("os.name") + " "
                        + System.getProperty("os.version")).put("java", System.getProperty("java.version"));
    }

    private static double totalMemoryGiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1048576.0;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return 0;
    }
}
