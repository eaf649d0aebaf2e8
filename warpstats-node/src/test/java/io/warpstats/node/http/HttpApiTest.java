package io.warpstats.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    TestNode node;

    @BeforeAll
    void start() {
        node = new TestNode(dir, HttpConfig.loopback(0));
    }

    @AfterAll
    void stop() {
        node.close();
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** Asserts an RFC 9457 problem with this status and type whose detail contains {@code detail}. */
    static void problem(HttpResponse<String> r, int status, String type, String detail) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode p = json(r);
        assertThat(p.get("type").asText()).isEqualTo("urn:warpstats:problem:" + type);
        assertThat(p.get("status").asInt()).isEqualTo(status);
        assertThat(p.get("title").asText()).isNotBlank();
        assertThat(p.get("detail").asText()).contains(detail);
    }

    @Test
    void likesAndUnlikes() {
        HttpResponse<String> r = node.send("POST", "/v1/posts/post-1/likes", "{\"userId\":\"alice\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(json(r).get("likes").asLong()).isEqualTo(1);
        assertThat(json(r).get("source").asText()).isEqualTo("crdt");
        problem(node.send("POST", "/v1/posts/post-1/likes", "{\"userId\":\"alice\"}"), 409, "already-done",
                "user alice already liked post post-1");
        assertThat(node.send("POST", "/v1/posts/post-1/likes", "{\"userId\":\"bob\"}").statusCode()).isEqualTo(201);
        HttpResponse<String> stats = node.send("GET", "/v1/posts/post-1/stats", null);
        assertThat(stats.statusCode()).isEqualTo(200);
        JsonNode s = json(stats);
        assertThat(s.get("postId").asText()).isEqualTo("post-1");
        assertThat(s.get("likes").asLong()).isEqualTo(2);
        assertThat(s.get("retweets").asLong()).isZero();
        assertThat(s.get("replies").asLong()).isZero();
        assertThat(s.get("views").asLong()).isZero();
        assertThat(s.get("source").asText()).isEqualTo("crdt");
        assertThat(node.send("DELETE", "/v1/posts/post-1/likes/alice", null).statusCode()).isEqualTo(200);
        problem(node.send("DELETE", "/v1/posts/post-1/likes/alice", null), 404, "not-done", "user alice has not liked post post-1");
        assertThat(json(node.send("GET", "/v1/posts/post-1/stats", null)).get("likes").asLong()).isEqualTo(1);
    }

    @Test
    void retweetsRepliesAndViews() {
        assertThat(node.send("POST", "/v1/posts/post-2/retweets", "{\"userId\":\"alice\"}").statusCode()).isEqualTo(201);
        problem(node.send("POST", "/v1/posts/post-2/retweets", "{\"userId\":\"alice\"}"), 409, "already-done", "already retweeted");
        assertThat(node.send("DELETE", "/v1/posts/post-2/retweets/alice", null).statusCode()).isEqualTo(200);
        problem(node.send("DELETE", "/v1/posts/post-2/retweets/alice", null), 404, "not-done", "has not retweeted");
        HttpResponse<String> reply = node.send("POST", "/v1/posts/post-2/replies", "{\"userId\":\"bob\",\"replyId\":\"r-1\"}");
        assertThat(reply.statusCode()).isEqualTo(201);
        assertThat(json(reply).get("replies").asLong()).isEqualTo(1);
        problem(node.send("POST", "/v1/posts/post-2/replies", "{\"userId\":\"bob\",\"replyId\":\"r-1\"}"), 409, "already-done", "r-1");
        problem(node.send("POST", "/v1/posts/post-2/replies", "{\"userId\":\"bob\"}"), 400, "invalid-body", "\"replyId\"");
        assertThat(node.send("DELETE", "/v1/posts/post-2/replies/r-1", null).statusCode()).isEqualTo(200);
        problem(node.send("DELETE", "/v1/posts/post-2/replies/r-1", null), 404, "not-done", "has no reply r-1");
        assertThat(node.send("POST", "/v1/posts/post-2/views", null).statusCode()).isEqualTo(200);
        HttpResponse<String> view = node.send("POST", "/v1/posts/post-2/views", "{\"userId\":\"carol\"}");
        assertThat(view.statusCode()).isEqualTo(200);
        assertThat(json(view).get("views").asLong()).isEqualTo(2);
        JsonNode s = json(node.send("GET", "/v1/posts/post-2/stats", null));
        assertThat(List.of(s.get("retweets").asLong(), s.get("replies").asLong(), s.get("views").asLong())).containsExactly(0L, 0L, 2L);
    }

    @Test
    void likersAndLikedPostsPaginate() {
        for (int i = 0; i < 5; i++) {
            assertThat(node.send("POST", "/v1/posts/post-3/likes", "{\"userId\":\"u" + i + "\"}").statusCode()).isEqualTo(201);
            assertThat(node.send("POST", "/v1/posts/liked-" + i + "/likes", "{\"userId\":\"dave\"}").statusCode()).isEqualTo(201);
        }
        List<String> likers = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10; page++) {
            JsonNode p = json(node.send("GET", "/v1/posts/post-3/likers?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), null));
            p.get("likers").forEach(u -> likers.add(u.asText()));
            cursor = p.get("nextCursor").isNull() ? null : p.get("nextCursor").asText();
            if (cursor == null) {
                break;
            }
        }
        assertThat(likers).containsExactly("u0", "u1", "u2", "u3", "u4");
        JsonNode first = json(node.send("GET", "/v1/users/dave/likes?limit=3", null));
        assertThat(first.get("likes").findValuesAsText("postId")).containsExactly("liked-4", "liked-3", "liked-2");
        JsonNode second = json(node.send("GET", "/v1/users/dave/likes?limit=3&cursor=" + first.get("nextCursor").asText(), null));
        assertThat(second.get("likes").findValuesAsText("postId")).containsExactly("liked-1", "liked-0");
        assertThat(second.get("nextCursor").isNull()).isTrue();
        assertThat(json(node.send("GET", "/v1/users/nobody/likes", null)).get("likes").size()).isZero();
        problem(node.send("GET", "/v1/posts/post-3/likers?limit=0", null), 400, "invalid-parameter", "from 1 to 1000");
        problem(node.send("GET", "/v1/posts/post-3/likers?limit=1001", null), 400, "invalid-parameter", "from 1 to 1000");
        problem(node.send("GET", "/v1/users/dave/likes?limit=abc", null), 400, "invalid-parameter", "whole number");
        problem(node.send("GET", "/v1/users/dave/likes?cursor=%21%21", null), 400, "invalid-parameter", "cursor");
        problem(node.send("GET", "/v1/posts/post-3/likers?limit=1&limit=2", null), 400, "invalid-parameter", "once");
        problem(node.send("GET", "/v1/posts/never-seen/likers", null), 404, "unknown-post", "never-seen");
    }

    @Test
    void badIdsAreRejected() {
        problem(node.send("GET", "/v1/posts/a%2Fb/stats", null), 400, "invalid-id", "'/'");
        problem(node.send("GET", "/v1/posts/a..b/stats", null), 400, "invalid-id", "\"..\"");
        problem(node.send("GET", "/v1/posts/" + "x".repeat(129) + "/stats", null), 400, "invalid-id", "the limit is 128");
        problem(node.send("GET", "/v1/posts/a%00b/stats", null), 400, "invalid-id", "U+0000");
        problem(node.send("GET", "/v1/posts/a%C3%28/stats", null), 400, "malformed-request", "not valid UTF-8");
        problem(node.send("POST", "/v1/posts/p/likes", "{\"userId\":\"a b\"}"), 400, "invalid-id", "user id");
        problem(node.send("POST", "/v1/posts/p/likes", "{\"userId\":\"\"}"), 400, "invalid-id", "user id is missing or empty");
        problem(node.send("DELETE", "/v1/posts/p/likes/%2E%2E", null), 400, "invalid-id", "user id");
        problem(node.send("GET", "/v1/users/bad%20user/likes", null), 400, "invalid-id", "user id");
    }

    @Test
    void badBodiesAreRejected() {
        problem(node.send("POST", "/v1/posts/p/likes", "{"), 400, "invalid-json", "not valid JSON");
        problem(node.send("POST", "/v1/posts/p/likes", "[1]"), 400, "invalid-body", "JSON object");
        problem(node.send("POST", "/v1/posts/p/likes", "{\"user\":\"x\"}"), 400, "invalid-body", "\"userId\"");
        problem(node.send("POST", "/v1/posts/p/likes", "{\"userId\":7}"), 400, "invalid-body", "\"userId\"");
        problem(node.send("POST", "/v1/posts/p/likes", null), 400, "invalid-body", "needs a JSON body");
        problem(node.send("POST", "/v1/posts/p/likes", "text/plain", "{\"userId\":\"x\"}", null), 415,
                "unsupported-media-type", "Content-Type: application/json");
        problem(node.send("POST", "/v1/posts/p/views", "{\"userId\":\"x\""), 400, "invalid-json", "not valid JSON");
        problem(node.send("POST", "/v1/posts/p/likes", "{\"userId\":\"" + "x".repeat(20_000) + "\"}"), 413,
                "body-too-large", "limit of 16384 bytes");
        assertThat(node.send("GET", "/health", null).statusCode()).isEqualTo(200); // the server still answers
    }

    @Test
    void unknownPostsRoutesAndMethods() {
        problem(node.send("GET", "/v1/posts/nobody-knows/stats", null), 404, "unknown-post", "nothing is known of post nobody-knows");
        problem(node.send("GET", "/v2/whatever", null), 404, "no-such-route", "/openapi.json");
        problem(node.send("GET", "/v1/posts/p/unknown", null), 404, "no-such-route", "no endpoint");
        HttpResponse<String> r = node.send("GET", "/v1/posts/p/likes", null);
        problem(r, 405, "method-not-allowed", "allowed: POST");
        assertThat(r.headers().firstValue("Allow")).contains("POST");
        problem(node.send("PUT", "/v1/posts/p/stats", "{}"), 405, "method-not-allowed", "PUT is not allowed");
        problem(node.send("POST", "/v1/posts/p/likes/alice", null), 405, "method-not-allowed", "allowed: DELETE");
    }

    @Test
    void nodeHealthMetricsOpenApiAndDashboard() throws Exception {
        node.send("POST", "/v1/posts/post-m/views", null);
        JsonNode n = json(node.send("GET", "/v1/node", null));
        assertThat(n.get("peerId").asText()).isEqualTo("12D3KooWTestNode");
        assertThat(n.get("addresses").get(0).asText()).startsWith("/ip4/127.0.0.1/tcp/");
        assertThat(n.get("peers").size()).isEqualTo(1);
        assertThat(n.has("heads") && n.has("storeSizeBytes")).isTrue();
        JsonNode h = json(node.send("GET", "/health", null));
        assertThat(h.get("status").asText()).isEqualTo("up");
        HttpResponse<String> m = node.send("GET", "/metrics", null);
        assertThat(m.statusCode()).isEqualTo(200);
        assertThat(m.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(m.body()).contains("warpstats_operations_total{", "warpstats_crdt_merges_total", "warpstats_crdt_blocks",
                "warpstats_crdt_heads", "warpstats_p2p_peers", "warpstats_sync_lag_seconds", "warpstats_http_requests_seconds",
                "warpstats_stats_outbox");
        HttpResponse<String> o = node.send("GET", "/openapi.json", null);
        JsonNode doc = json(o);
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        List<String> paths = new ArrayList<>();
        doc.get("paths").fieldNames().forEachRemaining(paths::add);
        assertThat(paths).contains("/v1/posts/{id}/likes", "/v1/posts/{id}/likes/{userId}", "/v1/posts/{id}/retweets",
                "/v1/posts/{id}/retweets/{userId}", "/v1/posts/{id}/replies", "/v1/posts/{id}/replies/{replyId}",
                "/v1/posts/{id}/views", "/v1/posts/{id}/stats", "/v1/posts/{id}/likers", "/v1/users/{id}/likes", "/v1/node",
                "/v1/dashboard", "/health", "/metrics", "/openapi.json", "/");
        HttpResponse<String> page = node.send("GET", "/", null);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).contains("Busiest posts", "/v1/dashboard");
        JsonNode d = json(node.send("GET", "/v1/dashboard", null));
        assertThat(d.get("posts").findValuesAsText("postId")).contains("post-m");
        assertThat(d.has("merges") && d.has("syncLagSeconds") && d.has("heads") && d.has("peers")).isTrue();
        JsonNode history = d.get("history");
        assertThat(history.get("capacity").asInt()).isEqualTo(DashboardHistory.CAPACITY);
        for (String column : List.of("likes", "retweets", "replies", "views", "merges", "syncLagSeconds", "peers", "storeBytes")) {
            assertThat(history.get(column).size()).as(column).isEqualTo(history.get("time").size());
        }
        assertThat(d.get("peerHealth").get(0).get("peerId").asText()).isEqualTo("12D3KooWPeer");
    }

    @Test
    void writesSucceedLocallyWhileTheCrdtIsStoppedAndReplayAfterwards() {
        node.send("POST", "/v1/posts/post-f/likes", "{\"userId\":\"a\"}");
        node.stopCrdt();
        HttpResponse<String> r = node.send("POST", "/v1/posts/post-f/likes", "{\"userId\":\"b\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(json(r).get("source").asText()).isEqualTo("local");
        JsonNode s = json(node.send("GET", "/v1/posts/post-f/stats", null));
        assertThat(s.get("likes").asLong()).isEqualTo(2);
        assertThat(s.get("source").asText()).isEqualTo("local");
        assertThat(json(node.send("GET", "/health", null)).get("source").asText()).isEqualTo("local");
        node.startCrdt();
        node.awaitOutboxDrained();
        JsonNode after = json(node.send("GET", "/v1/posts/post-f/stats", null));
        assertThat(after.get("likes").asLong()).isEqualTo(2);
        assertThat(after.get("source").asText()).isEqualTo("crdt");
    }

    @Test
    void aTokenIsRequiredWhenConfiguredAndForNonLoopbackBindings() {
        assertThatThrownBy(() -> HttpConfig.loopback(0).withBinding("0.0.0.0", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("configure a bearer token");
        assertThatThrownBy(() -> HttpConfig.loopback(0).withBinding("127.0.0.1", "short"))
                .hasMessageContaining("at least 16");
        String token = "s3cret-token-0123456789";
        try (TestNode secured = new TestNode(dir.resolve("secured"), HttpConfig.loopback(0).withBinding("127.0.0.1", token))) {
            HttpResponse<String> r = secured.send("GET", "/v1/node", null, null, null);
            problem(r, 401, "unauthorized", "Authorization: Bearer");
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            problem(secured.send("POST", "/v1/posts/p/likes", "application/json", "{\"userId\":\"u\"}", "wrong-token-0123456789"),
                    401, "unauthorized", "token");
            problem(secured.send("GET", "/metrics", null, null, "wrong"), 401, "unauthorized", "token");
            assertThat(secured.send("POST", "/v1/posts/p/likes", "application/json", "{\"userId\":\"u\"}", token).statusCode()).isEqualTo(201);
            assertThat(secured.send("GET", "/v1/node", null, null, token).statusCode()).isEqualTo(200);
            assertThat(secured.send("GET", "/health", null, null, null).statusCode()).isEqualTo(200);
        }
    }
}
