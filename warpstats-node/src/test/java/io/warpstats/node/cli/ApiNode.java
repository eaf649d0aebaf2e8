package io.warpstats.node.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.node.http.HttpApi;
import io.warpstats.node.http.HttpConfig;
import io.warpstats.node.http.NodeInfo;
import io.warpstats.stats.StatsService;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine;

/**
 * A node for CLI tests: real RocksDB stores, the real engine and stats service, the real HTTP API on
 * 127.0.0.1 (a free port), optionally with a bearer token. No networking.
 */
final class ApiNode implements AutoCloseable {
    static final String NODE_ID = "12D3KooWCliTestNode";
    final KvStore store;
    final StatsService stats;
    final MerkleCrdt crdt;
    final HttpApi api;

    ApiNode(Path dir, String token) {
        store = KvStores.rocksDb(dir.resolve("crdt"));
        stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId(NODE_ID)
                .flushInterval(Duration.ofMillis(20)).open();
        crdt = MerkleCrdt.builder(store).flushDelay(Duration.ofMillis(5)).rebroadcastInterval(Duration.ZERO)
                .view(stats.view()).build();
        stats.attach(crdt);
        HttpConfig http = token == null ? HttpConfig.loopback(0) : HttpConfig.loopback(0).withBinding("127.0.0.1", token);
        api = HttpApi.start(http, stats, () -> new NodeInfo(NODE_ID, List.of("/ip4/127.0.0.1/tcp/4001"),
                List.of(new NodeInfo.Peer("12D3KooWPeer", "/ip4/127.0.0.1/tcp/4002")),
                crdt.heads().stream().map(h -> h.cid().toString()).toList(), 4096, crdt.metrics().mergedBlocks(),
                crdt.metrics().localBlocks(), 0.0), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /**
     * Waits (at most 30 s) until the statistics outbox is flushed into the CRDT: while a large write is being
     * flushed, reads of the set counts may lag (the read-your-writes of pending members is exact only once
     * the flush is done), so exact totals are asserted after this.
     */
    void awaitOutboxDrained() {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (stats.outboxSize() > 0) {
            if (System.nanoTime() > deadline) throw new AssertionError("the outbox did not drain in 30 s: " + stats.outboxSize());
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
    }

    int port() {
        return api.address().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        api.close();
        stats.close();
        crdt.close();
        store.close();
    }

    /** What one in-process run of the command line printed and returned. */
    record Run(int code, String out, String err) {
        /** The stdout lines. */
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    /** Runs {@code warpstats args…} in this JVM. */
    static Run cli(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
