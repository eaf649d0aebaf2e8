package io.warpstats.bench.layers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md, checked on the sources: every {@code import io.warpstats…} of a
 * module's main and test code names a package of the module itself or of a module below it, and no
 * main class outgrows a few screens. Maven already refuses an import of a module that is not a
 * dependency; this test also catches a dependency added upward in a pom.
 */
class LayersTest {
    /** Module → the packages (prefixes) its code may import, its own included. */
    private static final Map<String, Set<String>> MAY_IMPORT = Map.of(
            "warpstats-multiformats", Set.of("io.warpstats.multiformats"),
            "warpstats-crdt", Set.of("io.warpstats.multiformats", "io.warpstats.crdt"),
            "warpstats-p2p", Set.of("io.warpstats.multiformats", "io.warpstats.p2p"),
            "warpstats-replication", Set.of("io.warpstats.multiformats", "io.warpstats.crdt", "io.warpstats.p2p", "io.warpstats.replication"),
            "warpstats-stats", Set.of("io.warpstats.multiformats", "io.warpstats.crdt", "io.warpstats.stats"),
            "warpstats-node", Set.of("io.warpstats.multiformats", "io.warpstats.crdt", "io.warpstats.p2p", "io.warpstats.replication",
                    "io.warpstats.stats", "io.warpstats.node"),
            "warpstats-bench", Set.of("io.warpstats."));
    /** A main class longer than this is more than one mechanism (a protocol state machine may be the exception). */
    private static final int MAX_MAIN_LINES = 640;
    private static final Set<String> ONE_STATE_MACHINE = Set.of();
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(io\\.warpstats\\.[\\w.]+);", Pattern.MULTILINE);

    private static Path root() {
        return Path.of(System.getProperty("warpstats.root", "..")).toAbsolutePath().normalize();
    }

    @Test
    void importsPointOnlyDownward() throws IOException {
        List<String> upward = new ArrayList<>();
        for (var e : MAY_IMPORT.entrySet()) {
            Path module = root().resolve(e.getKey()).resolve("src");
            assertThat(module).as("module %s", e.getKey()).isDirectory();
            for (Path f : javaFiles(module)) {
                Matcher m = IMPORT.matcher(Files.readString(f));
                while (m.find()) {
                    String imported = m.group(1);
                    if (e.getValue().stream().noneMatch(imported::startsWith)) upward.add(root().relativize(f) + " imports " + imported);
                }
            }
        }
        assertThat(upward).as("imports that point up or sideways").isEmpty();
    }

    @Test
    void everyModuleIsChecked() throws IOException {
        try (Stream<Path> s = Files.list(root())) {
            List<String> modules = s.filter(p -> p.getFileName().toString().startsWith("warpstats-") && Files.isRegularFile(p.resolve("pom.xml")))
                    .map(p -> p.getFileName().toString()).toList();
            assertThat(MAY_IMPORT.keySet()).containsExactlyInAnyOrderElementsOf(modules);
        }
    }

    @Test
    void mainClassesFitOnAFewScreens() throws IOException {
        List<String> long_ = new ArrayList<>();
        for (String module : MAY_IMPORT.keySet()) {
            for (Path f : javaFiles(root().resolve(module).resolve("src/main"))) {
                long lines = Files.readAllLines(f).size();
                if (lines > MAX_MAIN_LINES && !ONE_STATE_MACHINE.contains(f.getFileName().toString())) long_.add(root().relativize(f) + ": " + lines);
            }
        }
        assertThat(long_).as("main classes over %d lines", MAX_MAIN_LINES).isEmpty();
    }

    private static List<Path> javaFiles(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
