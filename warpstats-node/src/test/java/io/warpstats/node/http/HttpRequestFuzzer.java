package io.warpstats.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.stats.StatsService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of the HTTP request path in process: the server's own pipeline
 * (request decoder with its limits, bounded aggregator, {@link ApiHandler} with route matching,
 * percent-decoding, id validation, token check and JSON bodies) over a real stats service on
 * RocksDB in a temporary directory, with requests answered on the calling thread. The input is
 * either raw bytes or a request built from fuzzed method, path, headers and body. Every complete
 * request gets an answer; no answer is a 500 (a 500 means a handler threw something that is not a
 * problem document: a finding).
 */
class HttpRequestFuzzer {
    private static final String TOKEN = "fuzz-token-0123456789";
    private static final String[] METHODS = {"GET", "HEAD", "POST", "DELETE", "PUT", "OPTIONS", "PATCH"};
    private static final String[] CONTENT_TYPES = {"application/json", "application/json; charset=utf-8", "text/plain", ""};
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");
    private static final Server SERVER = new Server();

    /** The stats service and the handler's collaborators, one per JVM, removed at exit. */
    private static final class Server {
        final Path dir;
        final KvStore store;
        final StatsService stats;
        final MerkleCrdt crdt;
        final HttpConfig config;
        final Routes routes;
        final ApiMetrics metrics;

        Server() {
            try {
                dir = Files.createTempDirectory("http-fuzz");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            store = KvStores.rocksDb(dir.resolve("crdt"));
            stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("12D3KooWFuzzNode")
                    .flushInterval(Duration.ofMillis(20)).open();
            crdt = MerkleCrdt.builder(store).flushDelay(Duration.ofMillis(5)).rebroadcastInterval(Duration.ZERO)
                    .view(stats.view()).build();
            stats.attach(crdt);
            NodeInfoSource info = () -> new NodeInfo("12D3KooWFuzzNode", List.of("/ip4/127.0.0.1/tcp/4001"), List.of(),
                    List.of(), 0, 0, 0, 0.0);
            CachedNodeInfo node = new CachedNodeInfo(info);
            DashboardHistory history = new DashboardHistory();
            metrics = new ApiMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), stats, node, history);
            routes = new Routes(stats, node, metrics, history, RemotePosts.NONE);
            config = new HttpConfig("127.0.0.1", 0, TOKEN, 1024, Duration.ofSeconds(10), Duration.ofSeconds(60), 1, 1);
            Runtime.getRuntime().addShutdownHook(new Thread(this::close));
        }

        EmbeddedChannel channel() {
            return new EmbeddedChannel(new HttpServerCodec(NettyHttpApi.MAX_INITIAL_LINE, NettyHttpApi.MAX_HEADER_BYTES, 8192),
                    new NettyHttpApi.BoundedAggregator(config.maxBodyBytes()),
                    new ApiHandler(config, routes, metrics, Runnable::run));
        }

        void close() {
            try {
                crdt.close();
                stats.close();
                store.close();
                try (var files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            } catch (Exception e) {
                // best effort at exit
            }
        }
    }

    @FuzzTest(maxDuration = "3s")
    @DictionaryEntries({"/v1/posts/", "/likes", "/retweets", "/replies", "/views", "/stats", "/likers", "/v1/users/",
            "/v1/node", "/v1/dashboard", "/health", "/metrics", "/openapi.json", "{\"userId\":\"", "\"replyId\":\"",
            "?limit=", "&cursor=", "%", "%2F", "%C3%A9"})
    void request(FuzzedDataProvider data) {
        boolean raw = data.consumeBoolean();
        byte[] request;
        boolean complete;
        if (raw) {
            request = data.consumeRemainingAsBytes();
            complete = false;
        } else {
            String method = data.pickValue(METHODS);
            String path = data.consumeString(300).replaceAll("[\\s]", "");
            if (!path.startsWith("/")) path = "/" + path;
            String contentType = data.pickValue(CONTENT_TYPES);
            boolean token = data.consumeBoolean();
            byte[] body = data.consumeRemainingAsString().getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: fuzz\r\n");
            if (!contentType.isEmpty()) head.append("Content-Type: ").append(contentType).append("\r\n");
            if (token) head.append("Authorization: Bearer ").append(TOKEN).append("\r\n");
            head.append("Content-Length: ").append(body.length).append("\r\nConnection: close\r\n\r\n");
            byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
            request = new byte[h.length + body.length];
            System.arraycopy(h, 0, request, 0, h.length);
            System.arraycopy(body, 0, request, h.length, body.length);
            complete = true;
        }
        List<Integer> statuses = exchange(request);
        if (complete) assertThat(statuses).as("a complete request is answered").isNotEmpty();
        assertThat(statuses).as("no internal error").doesNotContain(500);
    }

    private static List<Integer> exchange(byte[] request) {
        EmbeddedChannel ch = SERVER.channel();
        ByteBuf answer = Unpooled.buffer();
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(request));
            ch.runPendingTasks();
            ByteBuf b;
            while ((b = ch.readOutbound()) != null) {
                answer.writeBytes(b);
                b.release();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
        List<Integer> statuses = new ArrayList<>();
        Matcher m = STATUS.matcher(answer.toString(StandardCharsets.ISO_8859_1));
        while (m.find()) statuses.add(Integer.parseInt(m.group(1)));
        answer.release();
        return statuses;
    }
}
