package io.warpstats.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.bench.cli.BenchCommandLine;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The options of the cluster benchmark: defaults, the documented flags, {@code --help} and exit 2 on bad input; nothing runs. */
class ConvergenceCommandTest {
    private record Run(int exit, String out, String err) {}

    /** Executes the command line on {@code args}; only --help and bad input are used, so the benchmark never starts. */
    private static Run execute(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = BenchCommandLine.of(new ConvergenceCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static ConvergenceBench.Config parse(String... args) {
        ConvergenceCommand c = new ConvergenceCommand();
        BenchCommandLine.of(c).parseArgs(args);
        return c.config();
    }

    @Test
    void noOptionGivesTheDefaultConfiguration() {
        ConvergenceBench.Config parsed = parse();
        ConvergenceBench.Config d = ConvergenceBench.Config.defaults();
        assertThat(parsed).usingRecursiveComparison().isEqualTo(d);
        assertThat(parsed.rates()).containsExactly(1_000, 50_000);
        assertThat(parsed.dir()).isNull();
    }

    @Test
    void theDocumentedFlagsAreParsed() {
        // the commands of docs/benchmarks.md, with every other flag too
        ConvergenceBench.Config c = parse("--rates", "1000,50_000,50000", "--warmup", "2", "--measure", "5", "--runs", "1",
                "--catchup-puts", "0", "--flush-ms", "100", "--nodes", "3", "--keys", "500", "--zipf", "0.8", "--rebroadcast-ms", "250",
                "--catchup-keys", "20", "--catchup-rate", "1000", "--io-threads", "2", "--samples-per-s", "50", "--dir", "/tmp/x");
        assertThat(c.rates()).containsExactly(1_000, 50_000, 50_000);
        assertThat(c).extracting(ConvergenceBench.Config::warmupSeconds, ConvergenceBench.Config::measureSeconds,
                ConvergenceBench.Config::runs, ConvergenceBench.Config::catchupPuts, ConvergenceBench.Config::flushDelay,
                ConvergenceBench.Config::nodes, ConvergenceBench.Config::keys, ConvergenceBench.Config::zipf,
                ConvergenceBench.Config::rebroadcast, ConvergenceBench.Config::catchupKeys, ConvergenceBench.Config::catchupRate,
                ConvergenceBench.Config::ioThreads, ConvergenceBench.Config::samplesPerSecond, ConvergenceBench.Config::dir)
                .containsExactly(2, 5, 1, 0, Duration.ofMillis(100), 3, 500, 0.8, Duration.ofMillis(250), 20, 1000, 2, 50, Path.of("/tmp/x"));
    }

    @Test
    void helpListsEveryOptionWithItsDefaultAndExitsZero() {
        Run r = execute("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).isEmpty();
        for (String flag : new String[] {"--nodes", "--rates", "--warmup", "--measure", "--keys", "--zipf", "--flush-ms", "--rebroadcast-ms",
                "--catchup-puts", "--catchup-keys", "--catchup-rate", "--runs", "--io-threads", "--samples-per-s", "--dir"}) {
            assertThat(r.out()).contains(flag);
        }
        assertThat(r.out().replaceAll("\\s+", " ")).contains("(default: 1000,50000)").contains("(default: 100000)");
    }

    @Test
    void badInputExitsTwoWithOneLineOnStderr() {
        String[][] bad = {
            {"--bogus"},
            {"--nodes"},
            {"--nodes", "five"},
            {"--rates", "1000,x"},
            {"--nodes", "1"},
            {"--rates", "0"},
            {"--measure", "0"},
            {"--zipf", "-1"},
            {"--runs", "0"},
            {"--nodes", "5", "--catchup-keys", "3"},
            {"stray"},
        };
        for (String[] args : bad) {
            Run r = execute(args);
            assertThat(r.exit()).as("%s: %s", String.join(" ", args), r.err()).isEqualTo(2);
            assertThat(r.err().lines().toList()).as(String.join(" ", args)).hasSize(1).allMatch(l -> l.startsWith("error: "));
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void noCatchUpNeedsNoCatchUpKeys() {
        assertThat(parse("--catchup-puts", "0", "--catchup-keys", "0").catchupPuts()).isZero();
    }
}
