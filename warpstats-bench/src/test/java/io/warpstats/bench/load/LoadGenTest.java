package io.warpstats.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.bench.cli.BenchCommandLine;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@link LoadGen}'s bad input: exit 2 with one line naming the flag, before any request is sent. */
class LoadGenTest {

    static int run(StringWriter err, String... args) {
        CommandLine cl = BenchCommandLine.of(new LoadGen());
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void badFlagsExitTwoWithOneLine() {
        String[][] bad = {
            {"--connections", "0"}, {"--connections", "5000"}, {"--duration", "0"}, {"--mix", "bogus=1"},
            {"--mix", "like=0,view=0"}, {"--mix", "like=-1"}, {"--timeout-ms", "0"}, {"--url", "not a url"},
            {"--url", "ftp://127.0.0.1:1"}, {"--posts", "0"},
        };
        for (String[] args : bad) {
            StringWriter err = new StringWriter();
            assertThat(run(err, args)).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString().strip().split("\n")).as(String.join(" ", args)).hasSize(1);
            assertThat(err.toString()).startsWith("error:");
        }
    }
}
