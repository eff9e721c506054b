package io.eventline.changerecord.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.eventline.changerecord.RecordTypes;

/**
 * Today's schemas against the last release's (kept in {@code compat/released/<version>/}): a
 * breaking change fails the build unless {@code compat/declared-breaking.txt} declares it, for
 * that type and field, with the type's new version.
 */
class SchemaCompatibilityTest {

    static final Path DECLARED = Path.of("src/test/resources/compat/declared-breaking.txt");

    @Test
    void noUndeclaredBreakingChangeSinceTheLastRelease() throws IOException {
        Path release = lastRelease();
        SchemaFiles released = new SchemaFiles(release);
        SchemaFiles current = new SchemaFiles(SchemaFiles.CURRENT);
        List<String> declared = declared();
        List<String> undeclared = new ArrayList<>();

        releasedCatalogue(release).forEach((type, releasedFile) -> {
            int releasedVersion = SchemaFiles.version(released.file(releasedFile));
            if (!RecordTypes.all().contains(type)) {
                if (!declared.contains(type + " * v" + (releasedVersion + 1))) {
                    undeclared.add(type + ": the record type was removed");
                }
                return;
            }
            String currentFile = RecordTypes.schemaOf(type).substring("/schemas/".length());
            int version = RecordTypes.versionOf(type);
            for (SchemaCompatibility.Break b : SchemaCompatibility.breaks(released, releasedFile, current, currentFile)) {
                String line = type + " " + b.field() + " v" + version;
                if (version <= releasedVersion || !declared.contains(line)) {
                    undeclared.add(type + ": field '" + b.field() + "': " + b.what() + " (breaking; to ship it, raise "
                            + currentFile + "'s x-version to " + (releasedVersion + 1) + " and declare '" + type + " "
                            + b.field() + " v" + (releasedVersion + 1) + "' in " + DECLARED.getFileName() + ")");
                }
            }
        });

        if (!undeclared.isEmpty()) {
            fail("breaking changes since release " + release.getFileName() + " that are not declared:\n  "
                    + String.join("\n  ", undeclared));
        }
    }

    @Test
    void theLastReleaseIsKeptWithItsCatalogue() throws IOException {
        Path release = lastRelease();
        SchemaFiles released = new SchemaFiles(release);
        assertThat(releasedCatalogue(release)).isNotEmpty()
                .allSatisfy((type, file) -> assertThat(released.byFile()).as(type).containsKey(file));
    }

    /** The highest version directory under {@code compat/released/}. */
    static Path lastRelease() throws IOException {
        try (Stream<Path> dirs = Files.list(SchemaFiles.RELEASED)) {
            return dirs.filter(Files::isDirectory).max(Comparator.comparing(SchemaCompatibilityTest::versionKey))
                    .orElseThrow(() -> new IllegalStateException("no release under " + SchemaFiles.RELEASED));
        }
    }

    private static String versionKey(Path dir) {
        StringBuilder key = new StringBuilder();
        for (String part : dir.getFileName().toString().split("\\.")) {
            key.append(String.format("%08d", Integer.parseInt(part)));
        }
        return key.toString();
    }

    private static Map<String, String> releasedCatalogue(Path release) throws IOException {
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : Files.readAllLines(release.resolve("record-types.txt"))) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                String[] parts = l.split("\\s+");
                types.put(parts[0], parts[1]);
            }
        }
        return types;
    }

    /** The declared lines, {@code <type> <field> v<N>}, without comments. */
    private static List<String> declared() throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(DECLARED)) {
            String l = line.replaceAll("#.*", "").strip().replaceAll("\\s+", " ");
            if (!l.isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }
}
