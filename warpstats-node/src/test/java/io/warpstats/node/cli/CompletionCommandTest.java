package io.warpstats.node.cli;

import static io.warpstats.node.cli.ApiNode.cli;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.node.cli.ApiNode.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code warpstats completion}: a bash script naming every command, which bash parses and which completes. */
class CompletionCommandTest {
    @TempDir Path dir;

    @Test
    void theScriptNamesEveryCommandAndCompletes() throws Exception {
        Run r = cli("completion");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").hasSizeGreaterThan(1000);
        List<String> names = new ArrayList<>();
        collect(Main.commandLine(), names);
        assertThat(names).contains("import", "completion", "reply", "unreply", "likers", "user-likes", "info", "pubsub");
        for (String n : names) {
            assertThat(r.out()).as("names %s", n).containsPattern("[\\s'\"(]" + java.util.regex.Pattern.quote(n) + "[\\s'\")]");
        }
        Path script = dir.resolve("warpstats.bash");
        Files.writeString(script, r.out());
        assertThat(bash("bash -n " + script)).isEmpty(); // parses
        assertThat(bash("source " + script + "; COMP_WORDS=(warpstats li); COMP_CWORD=1; _complete_warpstats 2>/dev/null; echo \"${COMPREPLY[@]}\""))
                .isEqualTo("like likers");
        assertThat(bash("source " + script + "; COMP_WORDS=(warpstats import --f); COMP_CWORD=2; _complete_warpstats 2>/dev/null; echo \"${COMPREPLY[@]}\""))
                .isEqualTo("--format");
    }

    private static void collect(CommandLine cl, List<String> names) {
        for (var e : cl.getSubcommands().entrySet()) {
            names.add(e.getKey());
            collect(e.getValue(), names);
        }
    }

    private static String bash(String script) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
