package io.warpstats.bench.stats;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.stats.PostStats;
import io.warpstats.stats.Stat;
import io.warpstats.stats.SlotKey;
import io.warpstats.stats.StatsService;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@link StatsService#stats} for a post with 1, 10, 100 and 1,000 slots (nodes) of every
 * statistic, merged through the real engine on RocksDB: flat, because reads use the materialized
 * aggregates. Run: {@code java -jar warpstats-bench/target/benchmarks.jar StatsReadBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StatsReadBenchmark {
    @Param({"1", "10", "100", "1000"})
    public int slots;

    private Path dir;
    private KvStore store;
    private MerkleCrdt crdt;
    private MerkleCrdt remote;
    private StatsService stats;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("stats-bench");
        store = KvStores.rocksDb(dir.resolve("crdt"));
        stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("bench").open();
        remote = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO).build();
        crdt = MerkleCrdt.builder(store).flushDelay(Duration.ofMillis(5)).rebroadcastInterval(Duration.ZERO)
                .fetcher(cid -> CompletableFuture.completedFuture(remote.replication().block(cid).orElseThrow()))
                .view(stats.view()).build();
        stats.attach(crdt);
        for (int n = 0; n < slots; n++) {
            for (Stat s : Stat.values()) {
                remote.put(new SlotKey(true, s, "post", "node" + n, "i").key(), ByteBuffer.allocate(8).putLong(n + 10).array());
                if (s.decrementable()) {
                    remote.put(new SlotKey(false, s, "post", "node" + n, "i").key(), ByteBuffer.allocate(8).putLong(3).array());
                }
            }
        }
        remote.flush().join();
        crdt.replication().onHead(remote.heads().get(0).cid());
        crdt.replication().whenIdle().join();
        long expected = (long) slots * 7 + (long) slots * (slots - 1) / 2;
        if (stats.stats("post").likes() != expected) {
            throw new IllegalStateException("setup did not merge: " + stats.stats("post") + ", expected likes " + expected);
        }
    }

    @Benchmark
    public PostStats read() {
        return stats.stats("post");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        stats.close();
        crdt.close();
        remote.close();
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
