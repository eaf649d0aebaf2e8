package io.warpstats.node.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.stats.StatsService;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/** A node for tests: real RocksDB stores, the real engine, the stats service and the HTTP API on 127.0.0.1. */
final class TestNode implements AutoCloseable {
    final KvStore store;
    final StatsService stats;
    MerkleCrdt crdt;
    final HttpApi api;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TestNode(Path dir, HttpConfig config) {
        store = KvStores.rocksDb(dir.resolve("crdt"));
        stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("12D3KooWTestNode")
                .flushInterval(Duration.ofMillis(20)).open();
        startCrdt();
        NodeInfoSource info = () -> new NodeInfo("12D3KooWTestNode", List.of("/ip4/127.0.0.1/tcp/4001"),
                List.of(new NodeInfo.Peer("12D3KooWPeer", "/ip4/127.0.0.1/tcp/4002")),
                crdt.heads().stream().map(h -> h.cid().toString()).toList(), 1234, crdt.metrics().mergedBlocks(),
                crdt.metrics().localBlocks(), 0.0);
        api = HttpApi.start(config, stats, info, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    void startCrdt() {
        crdt = MerkleCrdt.builder(store).flushDelay(Duration.ofMillis(5)).rebroadcastInterval(Duration.ZERO)
                .view(stats.view()).build();
        stats.attach(crdt);
    }

    void stopCrdt() {
        crdt.close();
    }

    /** Waits (bounded) until the outbox is empty. */
    void awaitOutboxDrained() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (stats.outboxSize() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the outbox did not drain in 10 s");
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    String base() {
        return "http://127.0.0.1:" + api.address().getPort();
    }

    HttpResponse<String> send(String method, String path, String contentType, String body, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed", e);
        }
    }

    HttpResponse<String> send(String method, String path, String json) {
        return send(method, path, json == null ? null : "application/json", json, null);
    }

    @Override
    public void close() {
        api.close();
        stats.close();
        crdt.close();
        store.close();
    }
}
