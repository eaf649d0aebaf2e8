package io.warpstats.bench.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.bench.cli.BenchCommandLine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The options of the p2p benchmark: defaults, the documented flags, {@code --help} and exit 2 on bad input; nothing runs. */
class P2pBenchOptionsTest {
    private record Run(int exit, String out, String err) {}

    private static Run execute(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BenchCommandLine.of(new P2pBench());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static P2pBench parse(String... args) {
        P2pBench b = new P2pBench();
        BenchCommandLine.of(b).parseArgs(args);
        return b;
    }

    @Test
    void defaults() {
        P2pBench b = parse();
        assertThat(b).extracting(x -> x.mib, x -> x.setups, x -> x.jsSetups, x -> x.windowKib, x -> x.warmupSec, x -> x.warmupSetups, x -> x.only)
                .containsExactly(512, 2000, 200, 256, 4.0, -1, "all");
        String jsPeer = System.getProperty("warpstats.jspeer");
        assertThat(b.jsDir).isEqualTo(Path.of(jsPeer == null ? ".build/js-peer" : jsPeer));
    }

    @Test
    void theDocumentedFlagsAreParsed() {
        P2pBench b = parse("--only", "echo1", "--mib", "2048", "--warmup-sec", "0.5", "--setups", "1000", "--js-setups", "20",
                "--window-kib", "1024", "--warmup-setups", "250", "--js-dir", "/tmp/js");
        assertThat(b).extracting(x -> x.mib, x -> x.setups, x -> x.jsSetups, x -> x.windowKib, x -> x.warmupSec, x -> x.warmupSetups,
                x -> x.only, x -> x.jsDir).containsExactly(2048, 1000, 20, 1024, 0.5, 250, "echo1", Path.of("/tmp/js"));
    }

    @Test
    void helpExitsZero() {
        Run r = execute("--help");
        assertThat(r.exit()).isZero();
        for (String flag : new String[] {"--mib", "--setups", "--js-setups", "--js-dir", "--window-kib", "--warmup-sec", "--warmup-setups", "--only"}) {
            assertThat(r.out()).contains(flag);
        }
        assertThat(r.out().replaceAll("\\s+", " ")).contains("(default: 512)");
    }

    @Test
    void badInputExitsTwoWithOneLineOnStderr() {
        String[][] bad = {{"--bogus", "1"}, {"--mib"}, {"--mib", "lots"}, {"--mib", "0"}, {"--only", "everything"}, {"--warmup-sec", "-1"},
            {"--warmup-setups", "-2"}};
        for (String[] args : bad) {
            Run r = execute(args);
            assertThat(r.exit()).as("%s: %s", String.join(" ", args), r.err()).isEqualTo(2);
            assertThat(r.err().lines().toList()).as(String.join(" ", args)).hasSize(1).allMatch(l -> l.startsWith("error: "));
        }
    }
}
