package io.warpstats.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code warpstats demo} as a process, as a user does (smaller workloads): its three node
 * processes, node 3 killed with SIGKILL mid-run and restarted, exit 0 with every node's totals equal to
 * the exact expected ones; with {@code --keep} the nodes serve their dashboards until the demo is
 * stopped, and then stop too.
 */
class DemoCommandTest {
    static final Pattern TOTALS = Pattern.compile("^(expected|node\\d)\\S*(?: \\(killed, restarted\\))?\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)");
    @TempDir Path dir;

    static Process demo(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.warpstats.node.cli.Main", "demo"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(dir.resolve("demo.err").toFile()).start();
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void demoKillsANodeAndExitsZeroWithExactTotals() throws Exception {
        Process p = demo(dir, "--users", "600", "--posts", "60", "--actions", "1500", "--top", "5");
        String out;
        try {
            out = CompletableFuture.supplyAsync(() -> {
                try { return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8); }
                catch (IOException e) { throw new RuntimeException(e); }
            }).get(220, TimeUnit.SECONDS);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String err = Files.readString(dir.resolve("demo.err"));
        assertThat(p.exitValue()).as(out + "\n" + err).isZero();
        assertThat(err).contains("node3 killed with SIGKILL", "node3 restarted on the same data directory and ports",
                "node3's request in flight at the kill", "100%");
        // the totals table: every node's sums equal the expected ones, every post agrees
        List<String> totals = new ArrayList<>();
        for (String line : out.lines().toList()) {
            Matcher m = TOTALS.matcher(line);
            if (m.find()) totals.add(m.group(2) + "/" + m.group(3) + "/" + m.group(4) + "/" + m.group(5));
        }
        assertThat(totals).hasSize(4).containsOnly(totals.get(0));
        assertThat(out).contains("node3 (killed, restarted)").doesNotContain("DIFFERS");
        assertThat(out.lines().filter(l -> l.endsWith("60/60 ok"))).hasSize(3);
        assertThat(out.lines().filter(l -> l.startsWith("post-"))).hasSize(5);
        assertThat(out).contains("OK, every node agrees with the exact expected totals: 1,500 actions");
        assertThat(err).contains("data and logs in ");
        Path data = Path.of(err.lines().filter(l -> l.startsWith("data and logs in ")).findFirst().orElseThrow().substring(17));
        assertThat(data).doesNotExist(); // removed after a successful run
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void keepLeavesTheNodesServingUntilTheDemoStops() throws Exception {
        Process p = demo(dir, "--keep", "--users", "120", "--posts", "20", "--actions", "300");
        List<URI> dashboards = new ArrayList<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String last = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        if (line.startsWith("dashboard of node")) dashboards.add(URI.create(line.substring(line.indexOf("http://"))));
                        if (line.startsWith("nodes keep running")) return line;
                    }
                    return null;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }).get(220, TimeUnit.SECONDS);
            assertThat(last).as(Files.readString(dir.resolve("demo.err"))).isNotNull();
            assertThat(dashboards).hasSize(3);
            for (URI u : dashboards) {
                HttpResponse<String> page = http.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.body()).contains("chart-writes");
                HttpResponse<String> d = http.send(HttpRequest.newBuilder(u.resolve("/v1/dashboard")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(d.statusCode()).isEqualTo(200);
                assertThat(d.body()).contains("\"postId\":\"post-0\"", "\"peerHealth\"");
            }
            p.destroy(); // SIGTERM, as Ctrl-C: the demo stops its nodes
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        for (URI u : dashboards) { // every node process is gone: nothing answers on its port
            try {
                http.send(HttpRequest.newBuilder(u.resolve("/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                throw new AssertionError(u + " still answers after the demo stopped");
            } catch (ConnectException expected) {
                // stopped
            }
        }
    }

    @Test
    void badInputExitsTwo() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertThat(cl.execute("demo", "--users", "1")).isEqualTo(2);
        assertThat(err.toString()).startsWith("error:").contains("--users");
        assertThat(cl.execute("demo", "--actions", "10")).isEqualTo(2);
    }
}
