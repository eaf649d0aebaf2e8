package io.warpstats.node.http;

import static io.warpstats.node.http.HttpApiTest.problem;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.stats.StatsService;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's answers when it cannot serve: a request that outlives {@link HttpConfig#requestTimeout()}
 * (503 timeout), a full worker queue (503 busy; a write is still answered, it needs no worker to wait for
 * its group commit), a handler that throws (500), and a request line over the codec's limit (400). The node information source is the test's lever: it blocks on a latch or throws.
 */
class HttpOverloadTest {
    @TempDir Path dir;
    KvStore store;
    StatsService stats;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void open() {
        store = KvStores.rocksDb(dir.resolve("crdt"));
        stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("12D3KooWTestNode").open();
    }

    @AfterEach
    void close() {
        release.countDown();
        stats.close();
        store.close();
    }

    /** A node information source that holds its worker until {@link #release} (bounded: 30 s). */
    /** Holds the request thread that asks until released; the dashboard's sampler thread is answered at once. */
    NodeInfo blockingInfo() {
        if (Thread.currentThread().getName().equals("dashboard-history")) {
            return new NodeInfo("12D3KooWTestNode", List.of(), List.of(), List.of(), 0, 0, 0, 0.0);
        }
        entered.countDown();
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new NodeInfo("12D3KooWTestNode", List.of(), List.of(), List.of(), 0, 0, 0, 0.0);
    }

    HttpApi start(Duration requestTimeout, int workers, int queued, NodeInfoSource info) {
        HttpConfig c = new HttpConfig("127.0.0.1", 0, null, HttpConfig.DEFAULT_MAX_BODY_BYTES, requestTimeout,
                Duration.ofSeconds(60), workers, queued);
        return HttpApi.start(c, stats, info, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    CompletableFuture<HttpResponse<String>> get(HttpApi api, String path) {
        URI uri = URI.create("http://127.0.0.1:" + api.address().getPort() + path);
        return client.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRequestThatOutlivesTheTimeoutIsAnswered503() throws Exception {
        try (HttpApi api = start(Duration.ofMillis(300), 2, 8, this::blockingInfo)) {
            HttpResponse<String> r = get(api, "/v1/node").get(20, TimeUnit.SECONDS);
            assertThat(entered.getCount()).isZero();
            problem(r, 503, "timeout", "longer than 300 ms");
            release.countDown();
            // the worker is free again: the server goes on serving
            assertThat(get(api, "/health").get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aFullWorkerQueueIsAnswered503Busy() throws Exception {
        try (HttpApi api = start(Duration.ofSeconds(20), 1, 1, this::blockingInfo)) {
            CompletableFuture<HttpResponse<String>> holding = get(api, "/v1/node");
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
            // one worker, held; a queue of one: of the next two requests one waits and one is refused
            CompletableFuture<HttpResponse<String>> b = get(api, "/v1/posts/p/stats");
            CompletableFuture<HttpResponse<String>> c = get(api, "/v1/posts/q/stats");
            HttpResponse<String> refused = (HttpResponse<String>) CompletableFuture.anyOf(b, c).get(20, TimeUnit.SECONDS);
            problem(refused, 503, "busy", "too many requests");
            assertThat(refused.headers().firstValue("Retry-After")).contains("1");
            release.countDown();
            assertThat(holding.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            HttpResponse<String> waited = refused == b.getNow(null) ? c.get(20, TimeUnit.SECONDS) : b.get(20, TimeUnit.SECONDS);
            problem(waited, 404, "unknown-post", "nothing is known");
        }
    }

    @Test
    void aWriteIsAnsweredWhileEveryWorkerIsHeldAndTheQueueIsFull() throws Exception {
        try (HttpApi api = start(Duration.ofSeconds(20), 1, 1, this::blockingInfo)) {
            CompletableFuture<HttpResponse<String>> holding = get(api, "/v1/node");
            assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
            // fill the queue of one, and know it is full: of two reads one waits and one is refused
            CompletableFuture<HttpResponse<String>> b = get(api, "/v1/posts/w/stats");
            CompletableFuture<HttpResponse<String>> c = get(api, "/v1/posts/x/stats");
            HttpResponse<String> refused = (HttpResponse<String>) CompletableFuture.anyOf(b, c).get(20, TimeUnit.SECONDS);
            problem(refused, 503, "busy", "too many requests");
            CompletableFuture<HttpResponse<String>> waiting = refused == b.getNow(null) ? c : b;
            URI uri = URI.create("http://127.0.0.1:" + api.address().getPort() + "/v1/posts/w/views");
            HttpResponse<String> view = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(view.statusCode()).as(view.body()).isEqualTo(200);
            assertThat(view.body()).contains("\"views\":1");
            assertThat(holding.isDone()).as("the worker is still held").isFalse();
            release.countDown();
            assertThat(holding.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(waiting.get(20, TimeUnit.SECONDS).statusCode()).isIn(200, 404); // w has a view now, x is unknown
        }
    }

    @Test
    void aFailingHandlerIsAnswered500WithoutItsDetails() throws Exception {
        NodeInfoSource failing = () -> {
            throw new IllegalStateException("secret internal state");
        };
        try (HttpApi api = start(Duration.ofSeconds(10), 2, 8, failing)) {
            HttpResponse<String> r = get(api, "/v1/node").get(20, TimeUnit.SECONDS);
            problem(r, 500, "internal", "see its log");
            assertThat(r.body()).doesNotContain("secret");
            assertThat(get(api, "/health").get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anOverLongRequestLineIsAnswered400AndTheConnectionClosed() throws Exception {
        try (HttpApi api = start(Duration.ofSeconds(10), 2, 8, this::blockingInfo);
             Socket s = new Socket("127.0.0.1", api.address().getPort())) {
            s.setSoTimeout(20_000);
            String line = "GET /v1/posts/" + "a".repeat(NettyHttpApi.MAX_INITIAL_LINE + 100) + "/stats HTTP/1.1\r\n";
            OutputStream out = s.getOutputStream();
            out.write((line + "Host: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8); // ends when the server closes
            assertThat(answer).startsWith("HTTP/1.1 400").contains("application/problem+json")
                    .contains("urn:warpstats:problem:malformed-request").contains("too long");
        }
    }
}
