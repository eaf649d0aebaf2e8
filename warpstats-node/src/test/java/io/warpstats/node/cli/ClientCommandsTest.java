package io.warpstats.node.cli;

import static io.warpstats.node.cli.ApiNode.cli;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.warpstats.node.cli.ApiNode.Run;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every client command against a real node's HTTP API on 127.0.0.1: exit 0 with text and with {@code --json}
 * (parsed with Jackson), 1 when the operation fails (404 not-done, 409, unreachable node, 5xx), 2 for bad
 * input (one line on stderr).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClientCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    ApiNode node;

    @BeforeAll
    void start() {
        node = new ApiNode(dir, null);
    }

    @AfterAll
    void stop() {
        node.close();
    }

    /** Runs a client command against the node. */
    Run run(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("--node", node.url()));
        return cli(a.toArray(String[]::new));
    }

    /** Runs with --json, asserts exit 0 and one JSON object on stdout, returns it. */
    JsonNode json(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--json");
        Run r = run(a.toArray(String[]::new));
        assertThat(r.code()).as("%s: %s", a, r.err()).isZero();
        assertThat(r.lines()).as("one line of JSON").hasSize(1);
        assertThat(r.err()).isEmpty();
        return JSON.readTree(r.out());
    }

    static void oneLineError(Run r, int code, String prefix, String contains) {
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.err().split("\n")).as(r.err()).hasSize(1);
        assertThat(r.err()).startsWith(prefix).contains(contains);
    }

    @Test
    void actionsOnAPostPrintItsStatistics() throws Exception {
        assertThat(json("like", "cp1", "--user", "alice").get("likes").asLong()).isEqualTo(1);
        assertThat(json("retweet", "cp1", "--user", "alice").get("retweets").asLong()).isEqualTo(1);
        assertThat(json("reply", "cp1", "--user", "bob", "--reply-id", "r1").get("replies").asLong()).isEqualTo(1);
        assertThat(json("view", "cp1").get("views").asLong()).isEqualTo(1);
        assertThat(json("view", "cp1", "--user", "carol").get("views").asLong()).isEqualTo(2);
        JsonNode s = json("stats", "cp1");
        assertThat(s.get("postId").asText()).isEqualTo("cp1");
        assertThat(List.of(s.get("likes").asLong(), s.get("retweets").asLong(), s.get("replies").asLong(), s.get("views").asLong()))
                .containsExactly(1L, 1L, 1L, 2L);
        assertThat(s.get("source").asText()).isEqualTo("crdt");
        assertThat(json("unlike", "cp1", "--user", "alice").get("likes").asLong()).isZero();
        assertThat(json("unretweet", "cp1", "--user", "alice").get("retweets").asLong()).isZero();
        assertThat(json("unreply", "cp1", "--reply-id", "r1").get("replies").asLong()).isZero();
        assertThat(json("reply", "cp1", "--user", "bob", "--reply-id", "r2").get("replies").asLong()).isEqualTo(1);
        assertThat(json("delete-reply", "cp1", "--reply-id", "r2").get("replies").asLong()).isZero();

        Run text = run("like", "cp1", "--user", "dave");
        assertThat(text.code()).isZero();
        assertThat(text.out()).startsWith("post cp1: 1 likes, 0 retweets, 0 replies, 2 views (source crdt, last activity 20");
        assertThat(run("stats", "cp1").out()).startsWith("post cp1: 1 likes,");
    }

    @Test
    void likersAndAUsersLikesArePaged() throws Exception {
        for (String u : List.of("u1", "u2", "u3")) {
            assertThat(run("like", "cp2", "--user", u).code()).isZero();
        }
        assertThat(run("like", "cp3", "--user", "u1").code()).isZero();
        JsonNode page = json("likers", "cp2", "--limit", "2");
        assertThat(page.get("likers")).extracting(JsonNode::asText).containsExactly("u1", "u2");
        String cursor = page.get("nextCursor").asText();
        JsonNode rest = json("likers", "cp2", "--limit", "2", "--cursor", cursor);
        assertThat(rest.get("likers")).extracting(JsonNode::asText).containsExactly("u3");
        assertThat(rest.get("nextCursor").isNull()).isTrue();
        Run text = run("likers", "cp2", "--limit", "2");
        assertThat(text.lines()).containsExactly("u1", "u2", "(more: --cursor " + cursor + ")");

        JsonNode likes = json("user-likes", "u1");
        assertThat(likes.get("userId").asText()).isEqualTo("u1");
        assertThat(likes.get("likes")).extracting(p -> p.get("postId").asText()).containsExactly("cp3", "cp2");
        assertThat(run("user-likes", "u1").lines()).hasSize(2).allMatch(l -> l.matches("cp[23] 20\\S+"));
        assertThat(json("user-likes", "nobody").get("likes")).isEmpty();
    }

    @Test
    void nodeInfoHealthAndDashboard() throws Exception {
        assertThat(run("view", "cp4").code()).isZero();
        JsonNode info = json("info");
        assertThat(info.get("peerId").asText()).isEqualTo(ApiNode.NODE_ID);
        assertThat(info.get("peers").get(0).get("peerId").asText()).isEqualTo("12D3KooWPeer");
        assertThat(info.get("storeSizeBytes").asLong()).isEqualTo(4096);
        assertThat(run("info").out()).contains("peer id:    " + ApiNode.NODE_ID).contains("peers:      1");
        JsonNode health = json("health");
        assertThat(health.get("status").asText()).isEqualTo("up");
        assertThat(health.get("nodeId").asText()).isEqualTo(ApiNode.NODE_ID);
        assertThat(run("health").out()).startsWith("up (node " + ApiNode.NODE_ID);
        JsonNode dash = json("dashboard");
        assertThat(dash.get("posts")).extracting(p -> p.get("postId").asText()).contains("cp4");
        assertThat(run("dashboard").out()).contains("post cp4:");
    }

    @Test
    void failedOperationsExitOne() throws Exception {
        assertThat(run("like", "cp5", "--user", "alice").code()).isZero();
        oneLineError(run("like", "cp5", "--user", "alice"), 1, "failed: HTTP 409", "already liked");
        oneLineError(run("unlike", "cp5", "--user", "bob"), 1, "failed: HTTP 404", "has not liked");
        oneLineError(run("unretweet", "cp5", "--user", "bob"), 1, "failed: HTTP 404", "has not retweeted");
        oneLineError(run("unreply", "cp5", "--reply-id", "nope"), 1, "failed: HTTP 404", "has no reply nope");
        oneLineError(run("stats", "never-seen"), 1, "failed: HTTP 404", "nothing is known of post never-seen");
        oneLineError(run("likers", "never-seen"), 1, "failed: HTTP 404", "never-seen");
        // with --json the problem document is printed too
        Run j = run("unlike", "cp5", "--user", "bob", "--json");
        assertThat(j.code()).isEqualTo(1);
        assertThat(JSON.readTree(j.out()).get("type").asText()).isEqualTo("urn:warpstats:problem:not-done");

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String dead = "http://127.0.0.1:" + closed;
        for (List<String> cmd : List.of(List.of("like", "p", "--user", "u"), List.of("unlike", "p", "--user", "u"),
                List.of("retweet", "p", "--user", "u"), List.of("unretweet", "p", "--user", "u"), List.of("view", "p"),
                List.of("stats", "p"), List.of("reply", "p", "--user", "u", "--reply-id", "r"),
                List.of("unreply", "p", "--reply-id", "r"), List.of("likers", "p"), List.of("user-likes", "u"),
                List.of("info"), List.of("health"), List.of("dashboard"))) {
            List<String> a = new ArrayList<>(cmd);
            a.addAll(List.of("--node", dead, "--json"));
            Run r = cli(a.toArray(String[]::new));
            oneLineError(r, 1, "failed: node " + dead + " unreachable", "Connect");
            assertThat(r.out()).as("nothing on stdout").isEmpty();
        }
    }

    @Test
    void aServerErrorOrAnOversizedAnswerExitsOne() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] b = "{\"type\":\"urn:warpstats:problem:storage-unavailable\",\"title\":\"Storage unavailable\",\"status\":503,\"detail\":\"the node's database failed\"}"
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/problem+json");
            ex.sendResponseHeaders(503, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.createContext("/v1/node", ex -> { // a hostile node: an endless answer
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            try {
                for (int i = 0; i < 200; i++) ex.getResponseBody().write(chunk); // 12.5 MiB at most
            } catch (java.io.IOException e) {
                // the client hung up
            }
            ex.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort();
            oneLineError(cli("info", "--node", url, "--json"), 1, "failed: the node's answer is larger than", "4194304 bytes");
            oneLineError(cli("like", "p", "--user", "u", "--node", url), 1, "failed: HTTP 503", "database failed");
            oneLineError(cli("health", "--node", url), 1, "failed: HTTP 503", "database failed");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void badInputExitsTwoWithOneLine() {
        oneLineError(cli("stats", "p", "--node", "not a url"), 2, "error: --node must be an http(s) URL", "not a url");
        oneLineError(cli("stats", "p", "--node", "ftp://127.0.0.1:1"), 2, "error: --node must be", "ftp");
        oneLineError(run("like", "p"), 2, "error: --user is required", "like");
        oneLineError(run("reply", "p", "--user", "u"), 2, "error: --reply-id is required", "");
        oneLineError(run("unreply", "p"), 2, "error: --reply-id is required", "");
        oneLineError(run("like", "a..b", "--user", "u"), 2, "error: HTTP 400", "..");
        oneLineError(run("stats", "bad id"), 2, "error: HTTP 400", "character");
        oneLineError(run("likers", "p", "--limit", "0"), 2, "error: HTTP 400", "limit");
        oneLineError(run("likers", "p", "--limit", "x"), 2, "error: ", "--limit");
        oneLineError(run("user-likes", "u", "--cursor", "garbage"), 2, "error: HTTP 400", "");
        oneLineError(run("stats"), 2, "error: Missing required parameter", "POST_ID");
        oneLineError(run("frobnicate"), 2, "error: Unmatched argument", "frobnicate");
        oneLineError(run("stats", "p", "--token", "has space"), 2, "error: the token", "printable");
    }
}
