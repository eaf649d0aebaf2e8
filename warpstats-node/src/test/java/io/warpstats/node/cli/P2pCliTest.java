package io.warpstats.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warpstats.p2p.testing.JsPeer;
import io.warpstats.p2p.testing.Processes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The p2p CLI at process level, against the shared js-libp2p peer. */
class P2pCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A child process (the warpstats command line) whose stdout lines are queued. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Child(ProcessBuilder pb) throws IOException {
            process = pb.redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) lines.add(l);
                } catch (IOException ignored) { }
            });
            t.setDaemon(true);
            t.start();
        }

        String next() throws InterruptedException {
            String l = lines.poll(30, TimeUnit.SECONDS);
            if (l == null) throw new AssertionError("no output from child process within 30 s");
            return l;
        }

        @Override
        public void close() {
            Processes.stop(process);
        }
    }

    /** The first event named {@code name} of the js peer, 30 s at most. */
    private static JsonNode event(JsPeer peer, String name) throws InterruptedException {
        return peer.await(name, n -> true, 30_000);
    }

    private static Child warpstats(String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new Child(new ProcessBuilder(cmd));
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void jsDialsListenAndIdMatches(@TempDir Path dir) throws Exception {
        JsPeer.directory();
        try (Child listen = warpstats("p2p", "listen", "--data-dir", dir.toString(), "--listen", "/ip4/127.0.0.1/tcp/0")) {
            String addr = listen.next();
            assertThat(addr).startsWith("/ip4/127.0.0.1/tcp/").contains("/p2p/12D3KooW");
            Run id = run("id", "--data-dir", dir.toString());
            assertThat(id.exit()).isZero();
            assertThat(addr).endsWith("/p2p/" + id.out().trim());
            try (JsPeer peer = JsPeer.start("--dial", addr, "--count", "0")) {
                assertThat(event(peer, "dialed").path("peer").asText()).isEqualTo(id.out().trim());
                assertThat(event(peer, "ping").path("rttMs").isNumber()).isTrue();
                assertThat(event(peer, "echo-response").path("data").asText()).startsWith("echo:ping-from-");
            }
        }
    }

    @Test
    void pingJsPeer() throws Exception {
        try (JsPeer peer = JsPeer.start("--count", "0")) {
            JsonNode l = event(peer, "listening");
            String addr = l.path("multiaddrs").get(0).asText();
            Run r = CompletableFuture.supplyAsync(() -> run("p2p", "ping", addr, "--count", "2")).get(60, TimeUnit.SECONDS);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().lines().toList()).hasSize(2).allMatch(s -> s.matches("pong from 12D3KooW\\w+: seq=\\d time=\\d+\\.\\d{3} ms"));
        }
    }

    @Test
    void pingExitCodes() {
        Run unreachable = run("p2p", "ping", "/ip4/127.0.0.1/tcp/1", "--count", "1", "--timeout", "5");
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot reach");
        assertThat(run("p2p", "ping", "/ip4/1.2.3/tcp/1").exit()).isEqualTo(2);
        assertThat(run("p2p", "ping", "/ip4/127.0.0.1/tcp/1", "--count", "0").exit()).isEqualTo(2);
        assertThat(run("p2p", "ping").exit()).isEqualTo(2);
    }

    @Test
    void hostCommandsRejectBadListenAddressesWithExit2(@TempDir Path dir) {
        for (String[] cmd : new String[][] {{"p2p", "listen"}, {"p2p", "pubsub", "--topic", "t"}}) {
            String[] bad = {"/ip4/1.2.3/tcp/1", "/dns4/example.org/tcp/1", "not-an-address"};
            for (String addr : bad) {
                String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(cmd),
                        java.util.stream.Stream.of("--data-dir", dir.toString(), "--listen", addr)).toArray(String[]::new);
                Run r = run(args);
                assertThat(r.exit()).as("%s --listen %s: %s", String.join(" ", cmd), addr, r.err()).isEqualTo(2);
                assertThat(r.err()).contains(addr);
            }
        }
    }

    /** Reads a child's JSON lines (bounded: 60 s, 500 lines) until every predicate has matched a line; returns the lines read. */
    @SafeVarargs
    private static List<JsonNode> readUntil(Child c, java.util.function.Predicate<JsonNode>... wanted) throws Exception {
        List<JsonNode> seen = new ArrayList<>();
        boolean[] met = new boolean[wanted.length];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; i < 500 && System.nanoTime() < deadline; i++) {
            String l = c.lines.poll(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())), TimeUnit.MILLISECONDS);
            if (l == null) break;
            JsonNode n;
            try {
                n = JSON.readTree(l);
            } catch (IOException notJson) {
                continue;
            }
            seen.add(n);
            boolean all = true;
            for (int k = 0; k < wanted.length; k++) {
                met[k] |= wanted[k].test(n);
                all &= met[k];
            }
            if (all) return seen;
        }
        throw new AssertionError("not every expected line arrived; lines seen: " + seen);
    }

    @Test
    void pubsubCommandAndTheJsPeerExchangeMessagesBothWays(@TempDir Path dir) throws Exception {
        JsPeer.directory();
        String topic = "cli-interop";
        try (Child cli = warpstats("p2p", "pubsub", "--data-dir", dir.toString(), "--topic", topic,
                "--publish", "from-cli", "--exit-after", "90")) {
            JsonNode listening = readUntil(cli, n -> n.path("event").asText().equals("listening")).get(0);
            String cliId = listening.path("peerId").asText();
            String addr = listening.path("multiaddrs").get(0).asText();
            // the JS peer dials the CLI, publishes 2 messages, and answers every message it receives with "ack:" + it
            try (JsPeer peer = JsPeer.start("--dial", addr, "--topic", topic, "--count", "2", "--interval", "300", "--reply")) {
                JsonNode got = peer.await("message", n -> n.path("data").asText().equals("from-cli"), 60_000);
                assertThat(event(peer, "dialed").path("peer").asText()).as("the JS peer dialed the CLI's peer id").isEqualTo(cliId);
                assertThat(got.path("from").asText()).isEqualTo(cliId);
                List<JsonNode> atCli = readUntil(cli,
                        n -> n.path("event").asText().equals("message") && n.path("data").asText().equals("ack:from-cli"),
                        n -> n.path("event").asText().equals("message") && n.path("data").asText().startsWith("hello 0 from "),
                        n -> n.path("event").asText().equals("message") && n.path("data").asText().startsWith("hello 1 from "));
                List<JsonNode> messages = atCli.stream().filter(n -> n.path("event").asText().equals("message")).toList();
                assertThat(messages).allMatch(n -> n.path("topic").asText().equals(topic));
                String jsPeerId = messages.get(0).path("from").asText();
                assertThat(jsPeerId).startsWith("12D3KooW").isNotEqualTo(cliId);
                assertThat(messages).allMatch(n -> n.path("from").asText().equals(jsPeerId));
                assertThat(messages.stream().map(n -> n.path("data").asText()).toList()).doesNotHaveDuplicates();
                assertThat(atCli).anyMatch(n -> n.path("event").asText().equals("published") && n.path("data").asText().equals("from-cli"));
            }
        }
    }
}
