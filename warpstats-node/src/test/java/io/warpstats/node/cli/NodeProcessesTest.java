package io.warpstats.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * Three {@code warpstats node} processes (the test classpath) on 127.0.0.1, driven through the client
 * commands: likes on every node converge; bad flags exit 2 with one line; SIGTERM shuts down.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public class NodeProcessesTest {

    static Process start(Path dir, int httpPort, String... extra) throws IOException {
        return startWithHeap(dir, httpPort, "256m", extra);
    }

    /**
     * A {@code warpstats node} process on the test classpath with a heap of {@code heap} (a JVM that exits
     * on {@link OutOfMemoryError}); its stderr goes to {@code dir}'s sibling {@code NAME.err}.
     */
    public static Process startWithHeap(Path dir, int httpPort, String heap, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "io.warpstats.node.cli.Main", "node", "--data-dir", dir.toString(), "--listen", "/ip4/127.0.0.1/tcp/0"));
        if (httpPort > 0) cmd.addAll(List.of("--http", "127.0.0.1:" + httpPort));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectError(dir.resolveSibling(dir.getFileName() + ".err").toFile()).start();
    }

    /** The first line the process prints on stdout (at most 60 s). */
    public static String firstLine(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try { return r.readLine(); } catch (IOException e) { throw new RuntimeException(e); }
        }).get(60, TimeUnit.SECONDS);
    }

    /** A TCP port free on 127.0.0.1 now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) { return s.getLocalPort(); }
    }

    static int client(StringWriter out, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        return cl.execute(args);
    }

    @Test
    void threeProcessesConverge() throws Exception {
        Path root = Files.createTempDirectory("warpstats-procs");
        List<Process> procs = new ArrayList<>();
        try {
            int[] ports = {freePort(), freePort(), freePort()};
            procs.add(start(root.resolve("n0"), ports[0]));
            String first = firstLine(procs.get(0));
            assertThat(first).startsWith("/ip4/127.0.0.1/tcp/").contains("/p2p/12D3KooW");
            for (int i = 1; i < 3; i++) procs.add(start(root.resolve("n" + i), ports[i], "--bootstrap", first));
            for (int i = 1; i < 3; i++) assertThat(firstLine(procs.get(i))).contains("/p2p/");
            String[] urls = new String[3];
            for (int i = 0; i < 3; i++) urls[i] = "http://127.0.0.1:" + ports[i];
            for (int i = 0; i < 3; i++) {
                for (int u = 0; u < 5; u++) {
                    assertThat(client(new StringWriter(), "like", "proc-post", "--user", "u" + i + "-" + u, "--node", urls[i])).isZero();
                }
                assertThat(client(new StringWriter(), "view", "proc-post", "--node", urls[i])).isZero();
            }
            assertThat(client(new StringWriter(), "like", "proc-post", "--user", "u0-0", "--node", urls[0])).isEqualTo(1); // double like
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            for (int i = 0; i < 3; i++) {
                while (true) {
                    StringWriter out = new StringWriter();
                    int code = client(out, "stats", "proc-post", "--node", urls[i], "--json");
                    if (code == 0 && out.toString().contains("\"likes\":15") && out.toString().contains("\"views\":3")) break;
                    assertThat(System.nanoTime() - deadline).as("node %d converges; last answer %s", i, out).isNegative();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
            // one user likes through two nodes: one like, one liker, on every node; an unlike through the first: 0
            assertThat(client(new StringWriter(), "like", "set-post", "--user", "both", "--node", urls[0])).isZero();
            int second = client(new StringWriter(), "like", "set-post", "--user", "both", "--node", urls[1]);
            assertThat(second).as("accepted if node 1 had not seen the like yet, else refused as done").isIn(0, 1);
            awaitEverywhere(urls, "set-post", "\"likes\":1,", "[\"both\"]");
            assertThat(client(new StringWriter(), "unlike", "set-post", "--user", "both", "--node", urls[0])).isZero();
            awaitEverywhere(urls, "set-post", "\"likes\":0,", "[]");
        } finally {
            for (Process p : procs) p.destroy(); // SIGTERM: the shutdown hook closes the node
            for (Process p : procs) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
        for (int i = 0; i < 3; i++) {
            assertThat(Files.readString(root.resolve("n" + i + ".err"))).contains("stopped");
        }
    }

    /** Waits (bounded) until every node's stats of {@code post} contain {@code stats} and its likers are {@code likers}. */
    static void awaitEverywhere(String[] urls, String post, String stats, String likers) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        for (String url : urls) {
            while (true) {
                String s = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/v1/posts/" + post + "/stats")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                String l = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "/v1/posts/" + post + "/likers")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                if (s.contains(stats) && l.contains("\"likers\":" + likers)) break;
                assertThat(System.nanoTime() - deadline).as("%s converges; last answers %s %s", url, s, l).isNegative();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    @Test
    void badFlagsExitTwoWithOneLine() throws Exception {
        Path root = Files.createTempDirectory("warpstats-bad");
        Process p = start(root.resolve("x"), 0, "--bootstrap", "/ip4/1.2.3.4");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        List<String> err = Files.readAllLines(root.resolve("x.err"));
        assertThat(err).hasSize(1);
        assertThat(err.get(0)).startsWith("error:").contains("bootstrap");
        assertThat(client(new StringWriter(), "stats", "p", "--node", "not a url")).isEqualTo(2);
        assertThat(client(new StringWriter(), "like", "p", "--node", "http://127.0.0.1:1")).isEqualTo(2); // --user missing
        assertThat(client(new StringWriter(), "stats", "p", "--node", "http://127.0.0.1:1")).isEqualTo(1); // unreachable
    }
}
