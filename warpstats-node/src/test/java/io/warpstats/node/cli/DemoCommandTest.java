package io.warpstats.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** Runs {@code warpstats demo} in-process (a smaller workload) and checks its verdict and table. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DemoCommandTest {

    @Test
    void demoExitsZeroWithEveryNodeAgreeing() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute("demo", "--users", "600", "--posts", "60", "--actions", "1500", "--top", "5");
        assertThat(code).as(out + "\n" + err).isEqualTo(0);
        String text = out.toString();
        assertThat(text).contains("post", "expected L/RT/RE/V", "node1", "node2", "node3");
        assertThat(text.lines().filter(l -> l.startsWith("post-")).count()).isEqualTo(5);
        assertThat(text).doesNotContain("DIFFERS").contains("OK, every node agrees");
        assertThat(err.toString()).contains("100%");
    }

    @Test
    void badInputExitsTwo() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("demo", "--users", "1")).isEqualTo(2);
        assertThat(err.toString()).startsWith("error:").contains("--users");
    }
}
