package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.CrdtMetrics;
import io.warpstats.node.http.HttpConfig;
import io.warpstats.p2p.Multiaddr;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** /metrics and /v1/node tell the truth: values checked after a known workload on two nodes. */
@Timeout(120)
class NodeMetricsTest {
    @TempDir Path dir;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Map<String, Double> scrape(Node n) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + n.httpAddress().orElseThrow().getHostString() + ":"
                + n.httpAddress().orElseThrow().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> m = new TreeMap<>();
        Matcher x = Pattern.compile("^([a-zA-Z_:][\\w:]*(?:\\{[^}]*\\})?) ([-+0-9.eE]+|NaN)$", Pattern.MULTILINE).matcher(body);
        while (x.find()) m.put(x.group(1), Double.parseDouble(x.group(2)));
        return m;
    }

    /** The bytes of the RocksDB data files ({@code *.sst}, {@code *.log}) in {@code db}: what the store takes on disk. */
    static long dataFiles(Path db) throws java.io.IOException {
        long n = 0;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(db)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".sst") || name.endsWith(".log")) n += java.nio.file.Files.size(f);
            }
        }
        return n;
    }

    /**
     * /metrics per store and /v1/node's {@code storeSizeBytes} are the files on disk of both stores (crdt/ and local/):
     * compared while the node is idle; a background flush between the reads is retried (at most 5 times).
     */
    void assertRealSizeOnDisk(Node n) throws Exception {
        String info = "http://" + n.httpAddress().orElseThrow().getHostString() + ":" + n.httpAddress().orElseThrow().getPort() + "/v1/node";
        long crdt = -1, local = -1, metricCrdt = -2, metricLocal = -2, node = -3;
        for (int attempt = 0; attempt < 5 && !(crdt == metricCrdt && local == metricLocal && node == crdt + local); attempt++) {
            Map<String, Double> m = scrape(n);
            metricCrdt = m.get("warpstats_store_disk_bytes{store=\"crdt\"}").longValue();
            metricLocal = m.get("warpstats_store_disk_bytes{store=\"local\"}").longValue();
            node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(HTTP.send(HttpRequest.newBuilder(URI.create(info)).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("storeSizeBytes").asLong();
            crdt = dataFiles(dir.resolve("a").resolve("crdt"));
            local = dataFiles(dir.resolve("a").resolve("local"));
        }
        assertThat(metricCrdt).as("crdt/ on disk").isEqualTo(crdt).isPositive();
        assertThat(metricLocal).as("local/ on disk").isEqualTo(local).isPositive();
        assertThat(node).as("/v1/node storeSizeBytes: both stores").isEqualTo(crdt + local);
    }

    @Test
    void afterKnownWritesEveryMetricSaysWhatHappened() throws Exception {
        NodeConfig ca = NodeConfig.defaults(dir.resolve("a"), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withHttp(HttpConfig.loopback(0))
                .withTimings(Duration.ofMillis(10), Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMillis(800), Duration.ofMillis(100));
        try (Node a = Node.start(ca);
             Node b = Node.start(NodeConfig.defaults(dir.resolve("b"), Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).withHttp(HttpConfig.loopback(0))
                     .withTimings(Duration.ofMillis(10), Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMillis(800), Duration.ofMillis(100))
                     .withBootstrap(List.of(a.address())))) {
            for (int i = 0; i < 20; i++) a.stats().view("m-post", null);
            a.stats().like("m-post", "alice");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) { // converged: b holds every block of a, nothing pending, the like visible
                CrdtMetrics ma = a.crdt().metrics(), mb = b.crdt().metrics();
                if (a.stats().outboxSize() == 0 && ma.localBlocks() > 0 && mb.blocksHeld() == ma.blocksHeld() && mb.pendingBlocks() == 0
                        && b.crdt().heads().equals(a.crdt().heads())) break;
                Thread.sleep(20); // replication is asynchronous; bounded poll of its result
            }
            CrdtMetrics ma = a.crdt().metrics(), mb = b.crdt().metrics();
            assertThat(mb.blocksHeld()).as("b holds a's blocks").isEqualTo(ma.blocksHeld()).isEqualTo(ma.localBlocks());
            assertThat(mb.mergedBlocks()).as("b merged each of a's blocks once").isEqualTo(ma.localBlocks());
            Map<String, Double> sa = scrape(a), sb = scrape(b);
            assertThat(sb.get("warpstats_crdt_blocks")).isEqualTo((double) mb.blocksHeld());
            assertThat(sb.get("warpstats_crdt_merges_total")).isEqualTo((double) mb.mergedBlocks());
            assertThat(sa.get("warpstats_crdt_merges_total")).as("a merged nothing: it wrote everything").isZero();
            assertThat(sb.get("warpstats_sync_lag_seconds")).isZero();
            for (String reason : List.of("malformed", "unsigned", "bad_signature", "unauthorized")) {
                assertThat(sb.get("warpstats_crdt_rejected_total{reason=\"" + reason + "\"}")).as(reason).isZero();
            }
            assertThat(sa.get("warpstats_pubsub_announcements_total{direction=\"published\"}")).isPositive();
            assertThat(sb.get("warpstats_pubsub_announcements_total{direction=\"received\"}")).isPositive();
            assertThat(sa.get("warpstats_store_disk_bytes{store=\"crdt\"}")).isPositive();
            assertThat(sa.get("warpstats_store_disk_bytes{store=\"local\"}")).isPositive();
            assertRealSizeOnDisk(a);
            assertThat(sa.get("jvm_threads_live_threads")).isPositive();
            assertThat(sa.get("process_uptime_seconds")).isPositive();
            assertThat(sa.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes"));
            double syncBlocks = sb.getOrDefault("warpstats_sync_blocks_total{side=\"client\"}", 0.0);
            assertThat(sa.get("warpstats_sync_blocks_total{side=\"server\"}")).as("a served what b fetched")
                    .isEqualTo(syncBlocks);
        }
    }
}
