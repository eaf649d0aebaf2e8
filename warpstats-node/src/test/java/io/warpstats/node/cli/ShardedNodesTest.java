package io.warpstats.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warpstats.stats.Shards;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Four {@code warpstats node} processes on 127.0.0.1 in a network of four shards, each node following two
 * (every shard followed by two nodes). Every node writes likes and views to posts of every shard, also of
 * shards it does not follow (those go to its own slots in that shard and are pushed to the followers).
 * Then: every post's totals are exact on the nodes that follow its shard; a node that does not follow it
 * reads the exact totals from a follower ({@code "source":"peer"}); with both followers of a shard stopped, a
 * read of its post is {@code "partial":true}. A restart with another shard count is refused with exit code 2.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ShardedNodesTest {
    static final int SHARDS = 4;
    /** Node i follows these shards: each shard has two followers, and every pair of nodes shares at most one shard. */
    static final String[] FOLLOW = {"0,1", "2,3", "0,2", "1,3"};
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void followersAreExactOthersAskThemAndPartialWhenTheyAreDown() throws Exception {
        Path root = Files.createTempDirectory("warpstats-shards");
        Shards shards = new Shards(SHARDS);
        List<Process> procs = new ArrayList<>();
        String[] urls = new String[4];
        try {
            List<String> addrs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int port = NodeProcessesTest.freePort();
                urls[i] = "http://127.0.0.1:" + port;
                List<String> args = new ArrayList<>(List.of("--shards", String.valueOf(SHARDS), "--follow-shards", FOLLOW[i]));
                for (String a : addrs) args.addAll(List.of("--bootstrap", a)); // a full mesh: followers of a shard meet directly
                procs.add(NodeProcessesTest.startWithHeap(root.resolve("n" + i), port, "256m", args.toArray(String[]::new)));
                addrs.add(NodeProcessesTest.firstLine(procs.get(i)));
            }
            // 16 posts over the 4 shards, written through every node: node i likes each post as 2 users, views it i+1 times
            List<String> posts = new ArrayList<>();
            for (int p = 0; p < 16; p++) posts.add("sp" + p);
            assertThat(posts.stream().map(shards::shardOf).distinct().count()).as("the posts cover every shard").isEqualTo(SHARDS);
            Map<String, long[]> expected = new HashMap<>();
            for (String post : posts) {
                for (int i = 0; i < 4; i++) {
                    for (int u = 0; u < 2; u++) assertThat(post(urls[i], "/v1/posts/" + post + "/likes", "{\"userId\":\"u" + i + "-" + u + "\"}")).isEqualTo(201);
                    for (int v = 0; v <= i; v++) assertThat(post(urls[i], "/v1/posts/" + post + "/views", "{}")).isEqualTo(200);
                }
                expected.put(post, new long[] {8, 10}); // likes, views
            }
            for (String post : posts) {
                int shard = shards.shardOf(post);
                for (int i = 0; i < 4; i++) {
                    boolean follows = Set.of(FOLLOW[i].split(",")).contains(String.valueOf(shard));
                    JsonNode s = await(urls[i], post, expected.get(post));
                    assertThat(s.get("partial").asBoolean()).isFalse();
                    assertThat(s.get("source").asText()).as("node %d, post %s of shard %d", i, post, shard).isEqualTo(follows ? "crdt" : "peer");
                }
            }
            // both followers of shard 2 (nodes 1 and 2) stop: node 0 answers for a post of shard 2 with what it knows, marked partial
            String post2 = posts.stream().filter(p -> shards.shardOf(p) == 2).findFirst().orElseThrow();
            for (int i : new int[] {1, 2}) {
                procs.get(i).destroy();
                assertThat(procs.get(i).waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            JsonNode partial;
            while (true) {
                partial = get(urls[0], post2);
                if (partial.get("partial").asBoolean()) break;
                assertThat(System.nanoTime() - deadline).as("a partial answer; last %s", partial).isNegative();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
            assertThat(partial.get("views").asLong()).as("node 0's own views of the post").isEqualTo(1);
            assertThat(partial.get("likes").asLong()).as("node 0's own likes of the post").isEqualTo(2);
            // a post of a shard node 0 follows is still exact there
            String post0 = posts.stream().filter(p -> shards.shardOf(p) == 0).findFirst().orElseThrow();
            assertThat(get(urls[0], post0).get("views").asLong()).isEqualTo(10);
        } finally {
            for (Process p : procs) p.destroy();
            for (Process p : procs) if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        // node 0's data directory is a 4-shard store: starting it with 2 shards is refused, exit code 2, one line
        Process again = NodeProcessesTest.startWithHeap(root.resolve("n0"), 0, "256m", "--shards", "2");
        assertThat(again.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).isEqualTo(2);
        List<String> err = Files.readAllLines(root.resolve("n0.err"));
        assertThat(err.get(err.size() - 1)).contains("4 shard(s)").contains("configured with 2");
    }

    private JsonNode await(String url, String post, long[] expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode s = get(url, post);
            if (s.path("likes").asLong(-1) == expected[0] && s.path("views").asLong(-1) == expected[1]) return s;
            assertThat(System.nanoTime() - deadline).as("%s converges on %s; last %s", url, post, s).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
    }

    private JsonNode get(String url, String post) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/posts/" + post + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private int post(String url, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
