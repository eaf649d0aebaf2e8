package io.warpstats.node.cli;

import static io.warpstats.node.cli.ApiNode.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warpstats.node.cli.ApiNode.Run;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.Identity;
import io.warpstats.stats.PostStats;
import io.warpstats.stats.Source;
import io.warpstats.stats.StatsException;
import io.warpstats.stats.StatsService;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code warpstats import}: idempotent (the same file twice), a later file adds its difference, bad lines are
 * reported by number with nothing imported, a stopped node's data directory, and an import process killed with
 * SIGKILL mid-way that the same command then finishes exactly.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImportCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    static long[] totals(StatsService s, String post) {
        PostStats p = s.stats(post);
        return new long[] {p.likes(), p.retweets(), p.replies(), p.views()};
    }

    static JsonNode summary(Run r) throws Exception {
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.lines()).hasSize(1);
        return JSON.readTree(r.out());
    }

    @Test
    void theSameFileTwiceChangesNothingAndALaterFileAddsItsDifference() throws Exception {
        try (ApiNode node = new ApiNode(dir.resolve("node"), null)) {
            node.stats.like("legacy-1", "alice"); // a live like, counted besides the legacy total
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 500; i++) {
                sb.append("{\"postId\":\"legacy-").append(i).append("\",\"likes\":").append(i % 20).append(",\"retweets\":1,\"replies\":2,\"views\":")
                        .append(10 * i).append("}\n");
            }
            Path first = file("export-1.jsonl", sb.toString());
            Run r1 = cli("import", first.toString(), "--node", node.url(), "--json");
            JsonNode s1 = summary(r1);
            assertThat(s1.get("records").asLong()).isEqualTo(500);
            assertThat(s1.get("changed").asLong()).isEqualTo(500);
            assertThat(s1.get("added").get("likes").asLong()).isEqualTo(25 * 190);
            assertThat(s1.get("added").get("views").asLong()).isEqualTo(10L * 499 * 500 / 2);
            assertThat(s1.get("added").get("retweets").asLong()).isEqualTo(500);
            assertThat(r1.err()).contains("import: 100% (500 of 500 records)");
            node.awaitOutboxDrained();
            assertThat(totals(node.stats, "legacy-1")).containsExactly(2, 1, 2, 10);
            assertThat(totals(node.stats, "legacy-499")).containsExactly(19, 1, 2, 4990);

            JsonNode again = summary(cli("import", first.toString(), "--node", node.url(), "--json"));
            assertThat(again.get("changed").asLong()).isZero();
            assertThat(again.get("added").get("likes").asLong() + again.get("added").get("views").asLong()).isZero();
            node.awaitOutboxDrained();
            assertThat(totals(node.stats, "legacy-499")).containsExactly(19, 1, 2, 4990);

            // a later export as CSV, columns in another order: legacy-0 grew, legacy-1 shrank, legacy-new is new
            Path later = file("export-2.csv", """
                    views,postId,likes
                    5,legacy-0,3
                    "0","legacy-1",0

                    7,legacy-new,1
                    """);
            Run r2 = cli("import", later.toString(), "--node", node.url());
            assertThat(r2.code()).as(r2.err()).isZero();
            assertThat(r2.out()).startsWith("imported 3 records from " + later + " into " + node.url()
                    + ": 2 posts changed; added 4 likes, 0 retweets, 0 replies, 12 views");
            node.awaitOutboxDrained();
            assertThat(totals(node.stats, "legacy-0")).containsExactly(3, 1, 2, 5);
            assertThat(totals(node.stats, "legacy-1")).containsExactly(2, 1, 2, 10); // never lowered
            assertThat(totals(node.stats, "legacy-new")).containsExactly(1, 0, 0, 7);
            assertThat(summary(cli("import", later.toString(), "--node", node.url(), "--json")).get("changed").asLong()).isZero();
            assertThat(summary(cli("import", first.toString(), "--node", node.url(), "--json")).get("changed").asLong()).isZero();
        }
    }

    @Test
    void aPostWithMoreLikesThanOneWriteMayAddIsImportedInSteps() throws Exception {
        try (ApiNode node = new ApiNode(dir.resolve("node"), null)) {
            Path f = file("big.csv", "postId,likes,replies,views\nhuge,25000,3,1000000\nsmall,2,0,1\n");
            JsonNode s = summary(cli("import", f.toString(), "--node", node.url(), "--json"));
            assertThat(s.get("records").asLong()).isEqualTo(2);
            assertThat(s.get("added").get("likes").asLong()).isEqualTo(25_002);
            node.awaitOutboxDrained();
            assertThat(totals(node.stats, "huge")).containsExactly(25_000, 0, 3, 1_000_000);
            assertThat(totals(node.stats, "small")).containsExactly(2, 0, 0, 1);
            assertThat(summary(cli("import", f.toString(), "--node", node.url(), "--json")).get("changed").asLong()).isZero();
        }
        assertThat(ImportCommand.steps(new io.warpstats.stats.LegacyTotals("p", 25_000, 0, 3, 7)))
                .extracting(io.warpstats.stats.LegacyTotals::likes).containsExactly(6_666L, 13_332L, 19_998L, 25_000L);
    }

    @Test
    void badLinesAreReportedWithTheirNumbersAndNothingIsImported() throws Exception {
        try (ApiNode node = new ApiNode(dir.resolve("node"), null)) {
            Path f = file("bad.jsonl", String.join("\n",
                    "{\"postId\":\"ok-1\",\"likes\":1}",
                    "{\"postId\":\"ok-2\",\"likes\":1",
                    "{\"postId\":\"ok-3\",\"like\":1}",
                    "{\"postId\":\"ok-4\",\"likes\":-1}",
                    "",
                    "{\"postId\":\"a/b\",\"likes\":1}",
                    "{\"postId\":\"ok-5\",\"views\":1.5}",
                    "[1,2]",
                    "{\"postId\":\"ok-6\",\"views\":3}") + "\n");
            Run r = cli("import", f.toString(), "--node", node.url());
            assertThat(r.code()).isEqualTo(2);
            List<String> err = List.of(r.err().split("\n"));
            assertThat(err).containsExactly(
                    f + ":2: not a JSON object",
                    f + ":3: unknown field \"like\" (the fields are postId, likes, retweets, replies, views)",
                    f + ":4: likes must be a whole number from 0 to 10000000, not -1",
                    f + ":6: post id \"a/b\" has the character '/' (U+002F) at position 2; allowed are letters, digits and . _ : @ -",
                    f + ":7: views must be a whole number from 0 to 281474976710656, not 1.5",
                    f + ":8: not a JSON object",
                    "error: 6 bad lines in " + f + "; nothing imported");
            assertThat(r.out()).isEmpty();
            for (String p : List.of("ok-1", "ok-6")) {
                try {
                    node.stats.stats(p);
                    throw new AssertionError(p + " was imported");
                } catch (StatsException e) {
                    assertThat(e.problem()).isEqualTo(StatsException.Problem.UNKNOWN_POST);
                }
            }

            Path csv = file("bad.csv", "postId,likes,shares\np1,1,2\n");
            Run c = cli("import", csv.toString(), "--node", node.url());
            assertThat(c.code()).isEqualTo(2);
            assertThat(c.err()).startsWith(csv + ":1: header: unknown column \"shares\"");
            Path rows = file("rows.csv", "postId,likes\np1,1\np2\np3,x\np4,\"2\"\np5,1,1\n");
            assertThat(cli("import", rows.toString(), "--node", node.url()).err().split("\n")).containsExactly(
                    rows + ":3: 1 fields where the header has 2",
                    rows + ":4: likes must be a whole number from 0 to 10000000, not \"x\"",
                    rows + ":6: 3 fields where the header has 2",
                    "error: 3 bad lines in " + rows + "; nothing imported");
            StringBuilder many = new StringBuilder();
            for (int i = 0; i < 30; i++) many.append("nope\n");
            Run m = cli("import", file("many.jsonl", many.toString()).toString(), "--node", node.url());
            assertThat(m.err().split("\n")).hasSize(21);
            assertThat(m.err()).contains("error: 30 bad lines in").contains("(the first 20 shown); nothing imported");
            Path longLine = file("long.jsonl", "{\"postId\":\"" + "x".repeat(5000) + "\"}\n");
            assertThat(cli("import", longLine.toString(), "--node", node.url()).err()).contains(":1: longer than 4096 characters");
            Files.write(dir.resolve("latin1.jsonl"), new byte[] {'{', (byte) 0xe9, '}', '\n'});
            assertThat(cli("import", dir.resolve("latin1.jsonl").toString(), "--node", node.url()).err()).contains(":1: not UTF-8 text");

            assertThat(cli("import", file("x.txt", "").toString(), "--node", node.url()).err()).startsWith("error: cannot tell the format");
            assertThat(cli("import", f.toString(), "--format", "xml").err()).startsWith("error: --format must be jsonl or csv");
            assertThat(cli("import", dir.resolve("none.jsonl").toString()).err()).startsWith("error: no such file");
            assertThat(cli("import", f.toString(), "--node", node.url(), "--data-dir", dir.toString()).code()).isEqualTo(2);
            Run empty = cli("import", file("empty.csv", "").toString(), "--node", node.url());
            assertThat(empty.err()).contains(":1: no header line");

            // a good file and a node that cannot be reached: exit 1, and the message says how far it got
            int closed;
            try (java.net.ServerSocket sock = new java.net.ServerSocket(0)) {
                closed = sock.getLocalPort();
            }
            Run dead = cli("import", file("good.jsonl", "{\"postId\":\"g1\",\"likes\":1}\n").toString(), "--node", "http://127.0.0.1:" + closed);
            assertThat(dead.code()).isEqualTo(1);
            assertThat(dead.err()).startsWith("failed: node http://127.0.0.1:" + closed + " unreachable")
                    .contains("0 of 1 records were imported").contains("run the same command again");
        }
    }

    @Test
    void aStoppedNodesDataDirectory() throws Exception {
        Path data = dir.resolve("data");
        String nodeId = PeerId.fromPublicKey(Identity.loadOrCreate(data).publicKey()).toString();
        Path f = file("legacy.csv", "postId,likes,retweets,replies,views\np1,4,3,2,1\np2,0,0,0,9\n");
        StatsService stats = StatsService.builder().localDatabase(data.resolve("local")).nodeId(nodeId).open();
        try {
            stats.like("p1", "alice");
            Run locked = cli("import", f.toString(), "--data-dir", data.toString());
            assertThat(locked.code()).isEqualTo(1);
            assertThat(locked.err()).startsWith("failed: cannot open the node's local database").contains("is the node running?");
        } finally {
            stats.close();
        }
        Run r = cli("import", f.toString(), "--data-dir", data.toString(), "--json");
        assertThat(summary(r).get("changed").asLong()).isEqualTo(2);
        assertThat(summary(cli("import", f.toString(), "--data-dir", data.toString(), "--json")).get("changed").asLong()).isZero();
        stats = StatsService.builder().localDatabase(data.resolve("local")).nodeId(nodeId).open();
        try {
            assertThat(stats.stats("p1")).extracting("likes", "retweets", "replies", "views", "source").containsExactly(5L, 3L, 2L, 1L, Source.LOCAL);
            assertThat(stats.outboxSize()).as("waiting for the node's CRDT").isGreaterThanOrEqualTo(5);
        } finally {
            stats.close();
        }
        Run notNode = cli("import", f.toString(), "--data-dir", dir.resolve("empty").toString());
        assertThat(notNode.code()).isEqualTo(2);
        assertThat(notNode.err()).startsWith("error: ").contains("is not a node's data directory");
    }

    @Test
    void anImportKilledMidwayIsFinishedExactlyByTheSameCommand() throws Exception {
        int n = 6_000;
        StringBuilder sb = new StringBuilder(n * 50);
        for (int i = 0; i < n; i++) {
            sb.append("{\"postId\":\"k").append(i).append("\",\"likes\":").append(i % 3 + 1).append(",\"views\":").append(i).append("}\n");
        }
        Path f = file("big.jsonl", sb.toString());
        try (ApiNode node = new ApiNode(dir.resolve("node"), null)) {
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "io.warpstats.node.cli.Main",
                    "import", f.toString(), "--node", node.url());
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            String first = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String l; (l = err.readLine()) != null; ) {
                        if (l.startsWith("import: ")) return l;
                    }
                    return null;
                } catch (java.io.IOException e) {
                    return null;
                }
            }).get(90, TimeUnit.SECONDS);
            assertThat(first).as("a progress line").matches("import: [1-9][0-9]?% \\([0-9,]+ of 6,000 records\\)");
            p.destroyForcibly(); // SIGKILL
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("killed, not finished").isEqualTo(137);
            node.awaitOutboxDrained();

            int imported = 0;
            for (int i = 0; i < n; i++) {
                try {
                    long[] t = totals(node.stats, "k" + i);
                    assertThat(t).as("k%d is all or nothing", i).containsExactly(i % 3 + 1, 0, 0, i);
                    imported++;
                } catch (StatsException e) {
                    assertThat(e.problem()).isEqualTo(StatsException.Problem.UNKNOWN_POST);
                }
            }
            assertThat(imported).as("killed mid-way").isBetween(n / 10, n - 1);

            long t0 = System.nanoTime();
            JsonNode rest = summary(cli("import", f.toString(), "--node", node.url(), "--json"));
            System.out.printf("import of %d records (%d new) took %d ms%n", n, n - imported, (System.nanoTime() - t0) / 1_000_000);
            node.awaitOutboxDrained();
            assertThat(rest.get("records").asLong()).isEqualTo(n);
            assertThat(rest.get("changed").asLong()).as("only what the killed run had not imported").isEqualTo(n - imported);
            for (int i = 0; i < n; i += 7) {
                assertThat(totals(node.stats, "k" + i)).containsExactly(i % 3 + 1, 0, 0, i);
            }
            assertThat(totals(node.stats, "k" + (n - 1))).containsExactly((n - 1) % 3 + 1, 0, 0, n - 1);
            assertThat(summary(cli("import", f.toString(), "--node", node.url(), "--json")).get("changed").asLong()).isZero();
        }
    }
}
