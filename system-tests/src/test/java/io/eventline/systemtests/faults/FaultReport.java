package io.eventline.systemtests.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The fault suite's results: every scenario adds one row (what it did, what it found), kept in
 * {@code target/faults/results.jsonl} and rendered as the table of {@code docs/reliability.md}
 * ({@code target/faults/reliability-table.md}; {@code ./eventline verify-faults} copies it there).
 *
 * <p>Scale: {@code ./mvnw verify} runs each scenario scaled down; {@code -Dfaults.full=true} (what
 * {@code ./eventline verify-faults} sets) runs the sizes the issue names.
 */
public final class FaultReport {

    private static final Path DIR = Path.of("target", "faults");
    private static final Path LINES = DIR.resolve("results.jsonl");
    private static final Path TABLE = DIR.resolve("reliability-table.md");

    private FaultReport() {
    }

    /** True for the full-size run ({@code -Dfaults.full=true}). */
    public static boolean full() {
        return Boolean.getBoolean("faults.full");
    }

    /** {@code verify} in {@code ./mvnw verify}, {@code full} in the full run. */
    public static int scaled(int verify, int full) {
        return full() ? full : verify;
    }

    /** Polls {@code condition} (bounded); false when it did not hold within {@code timeout}, for a scenario that reports instead of failing at once. */
    public static boolean within(Duration timeout, BooleanSupplier condition) {
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(condition::getAsBoolean);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /**
     * One scenario's result. {@code recover}: from the end of the fault to the invariant holding
     * again (null when the scenario has no recovery, e.g. the authorisation matrix).
     */
    public static synchronized void row(String number, String scenario, String load, String fault, long lost,
            long duplicated, long serverErrors, Duration recover, String checked) {
        JsonObject row = new JsonObject().put("number", number).put("scenario", scenario).put("load", load)
                .put("fault", fault).put("lost", lost).put("duplicated", duplicated).put("5xx", serverErrors)
                .put("recoverMillis", recover == null ? null : recover.toMillis()).put("checked", checked)
                .put("date", LocalDate.now().toString()).put("scale", full() ? "full" : "verify");
        try {
            Files.createDirectories(DIR);
            Files.writeString(LINES, row.encode() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Files.writeString(TABLE, table(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String table() throws IOException {
        Map<String, JsonObject> latest = new TreeMap<>((a, b) -> {
            int na = Integer.parseInt(a.replaceAll("\\D.*", "")), nb = Integer.parseInt(b.replaceAll("\\D.*", ""));
            return na != nb ? Integer.compare(na, nb) : a.compareTo(b);
        });
        for (String line : Files.readAllLines(LINES, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                JsonObject row = new JsonObject(line);
                latest.put(row.getString("number"), row);
            }
        }
        List<String> out = new ArrayList<>();
        out.add("| # | scenario | load | fault | lost | duplicated | 5xx | time to recover | checked | date | scale |");
        out.add("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (JsonObject r : latest.values()) {
            Long ms = r.getLong("recoverMillis");
            out.add(String.join(" | ", "| " + r.getString("number"), r.getString("scenario"), r.getString("load"),
                    r.getString("fault"), r.getLong("lost").toString(), r.getLong("duplicated").toString(),
                    r.getLong("5xx").toString(), ms == null ? "—" : String.format("%.1f s", ms / 1000.0),
                    r.getString("checked"), r.getString("date"), r.getString("scale")) + " |");
        }
        return String.join("\n", out) + "\n";
    }
}
