package io.warpstats.node.http;

import static io.warpstats.node.http.HttpApiTest.json;
import static io.warpstats.node.http.HttpApiTest.problem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /v1/import}: the import-mark rule over HTTP, validation of the whole body before any write, limits. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImportRouteTest {
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

    @Test
    void importsOnceAndThenOnlyTheDifference() {
        String body = "{\"totals\":[{\"postId\":\"imp-1\",\"likes\":5,\"retweets\":1,\"replies\":2,\"views\":70},{\"postId\":\"imp-2\",\"views\":3}]}";
        HttpResponse<String> r = node.send("POST", "/v1/import", body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode o = json(r);
        assertThat(o.get("posts").asInt()).isEqualTo(2);
        assertThat(o.get("changed").asInt()).isEqualTo(2);
        assertThat(o.get("added").get("likes").asLong()).isEqualTo(5);
        assertThat(o.get("added").get("views").asLong()).isEqualTo(73);
        assertThat(json(node.send("POST", "/v1/import", body)).get("changed").asInt()).isZero();
        JsonNode more = json(node.send("POST", "/v1/import", "{\"totals\":[{\"postId\":\"imp-1\",\"likes\":8,\"views\":60}]}"));
        assertThat(more.get("changed").asInt()).isEqualTo(1);
        assertThat(more.get("added").get("likes").asLong()).isEqualTo(3);
        assertThat(more.get("added").get("views").asLong()).isZero();
        JsonNode s = json(node.send("GET", "/v1/posts/imp-1/stats", null));
        assertThat(s.get("likes").asLong()).isEqualTo(8);
        assertThat(s.get("retweets").asLong()).isEqualTo(1);
        assertThat(s.get("replies").asLong()).isEqualTo(2);
        assertThat(s.get("views").asLong()).isEqualTo(70);
        assertThat(json(node.send("POST", "/v1/import", "{\"totals\":[]}")).get("posts").asInt()).isZero();
    }

    @Test
    void aBadEntryIsNamedAndNothingIsWritten() {
        problem(node.send("POST", "/v1/import", "{\"totals\":[{\"postId\":\"bad-1\",\"likes\":1},{\"postId\":\"bad-2\",\"likes\":-4}]}"),
                400, "invalid-body", "totals[1].likes must be a whole number from 0 to 10000000");
        problem(node.send("POST", "/v1/import", "{\"totals\":[{\"postId\":\"bad-1\",\"likes\":1},{\"postId\":\"bad-2\",\"likes\":\"4\"}]}"),
                400, "invalid-body", "totals[1].likes");
        problem(node.send("POST", "/v1/import", "{\"totals\":[{\"postId\":\"bad-1\",\"likes\":1},{\"postId\":\"x/y\"}]}"),
                400, "invalid-id", "totals[1]: post id");
        problem(node.send("POST", "/v1/import", "{\"totals\":[{\"postId\":\"bad-1\",\"likez\":1}]}"),
                400, "invalid-body", "totals[0] has the unknown field \"likez\"");
        problem(node.send("POST", "/v1/import", "{\"totals\":[{\"likes\":1}]}"), 400, "invalid-body", "totals[0] needs a string field \"postId\"");
        problem(node.send("POST", "/v1/import", "{\"totals\":[7]}"), 400, "invalid-body", "totals[0] must be an object");
        problem(node.send("POST", "/v1/import", "{\"totals\":{}}"), 400, "invalid-body", "the body must be {\"totals\"");
        problem(node.send("POST", "/v1/import", "[1]"), 400, "invalid-body", "must be a JSON object");
        problem(node.send("POST", "/v1/import", "{\"totals\":["), 400, "invalid-json", "not valid JSON");
        problem(node.send("POST", "/v1/import", null), 400, "invalid-body", "needs a JSON body");
        problem(node.send("POST", "/v1/import", "text/plain", "{\"totals\":[]}", null), 415, "unsupported-media-type", "application/json");
        problem(node.send("GET", "/v1/import", null), 405, "method-not-allowed", "POST");
        problem(node.send("POST", "/v1/import", "{\"totals\":[{\"postId\":\"" + "x".repeat(20_000) + "\"}]}"), 413, "body-too-large", "");
        problem(node.send("POST", "/v1/import", "{\"totals\":[{\"postId\":\"bad-1\",\"likes\":20001}]}"), 400, "invalid-parameter",
                "at most 20000 per call");
        problem(node.send("GET", "/v1/posts/bad-1/stats", null), 404, "unknown-post", "bad-1");
    }

    @Test
    void aTokenIsNeeded() throws Exception {
        String token = "import-token-0123456789";
        try (TestNode secured = new TestNode(dir.resolve("secured"), HttpConfig.loopback(0).withBinding("127.0.0.1", token))) {
            String body = "{\"totals\":[{\"postId\":\"tok-1\",\"likes\":1}]}";
            problem(secured.send("POST", "/v1/import", "application/json", body, null), 401, "unauthorized", "Bearer");
            assertThat(secured.send("POST", "/v1/import", "application/json", body, token).statusCode()).isEqualTo(200);
        }
    }
}
