package io.warpstats.bench.crdt;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The local write path, end to end: {@code put} of a counter slot's new running total
 * (coalesced in the pending delta), the background flush every 10 ms (encode the delta, build
 * the dag-pb block, hash it, write block + state + heads in one RocksDB batch to the WAL), and a
 * final {@code flush()} that every invocation waits for — so the figure counts durable puts only.
 *
 * <p>Keys: {@code keys} counter slots, drawn with a Zipf skew (s = 1.0). One writer thread, the
 * way a node's stats service calls the engine.
 *
 * <p>{@link #putOneBlockEach} is the baseline of the same engine without coalescing: flush delay
 * zero and a flush after every put (one block, one RocksDB batch per increment, the way a plain
 * go-ds-crdt {@code Put} works). Run both in one JMH run and divide: that is the coalescing gain.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class LocalWriteBenchmark {
    static final int PUTS_PER_INVOCATION = 200_000;
    static final int BASELINE_PUTS_PER_INVOCATION = 2_000;

    @Param({"1000", "100000"})
    int keys;

    @Param({"rocksdb"})
    String store;

    private Path dir;
    private KvStore kv;
    private MerkleCrdt crdt;
    private Path baselineDir;
    private KvStore baselineKv;
    private MerkleCrdt baseline;
    private int baselineNext;
    private String[] slotKeys;
    private int[] sequence;
    private long[] totals;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("warpstats-bench-write");
        kv = store.equals("memory") ? KvStores.inMemory() : KvStores.rocksDb(dir);
        crdt = MerkleCrdt.builder(kv).flushDelay(Duration.ofMillis(10)).rebroadcastInterval(Duration.ZERO).build();
        slotKeys = ZipfKeys.slotKeys(keys);
        sequence = ZipfKeys.draw(keys, 1.0, PUTS_PER_INVOCATION, 42);
        totals = new long[keys];
        baselineDir = Files.createTempDirectory("warpstats-bench-write-baseline");
        baselineKv = store.equals("memory") ? KvStores.inMemory() : KvStores.rocksDb(baselineDir);
        baseline = MerkleCrdt.builder(baselineKv).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO).build();
    }

    @Benchmark
    @OperationsPerInvocation(PUTS_PER_INVOCATION)
    public void putZipf() {
        for (int k : sequence) {
            crdt.put(slotKeys[k], ByteBuffer.allocate(8).putLong(++totals[k]).array());
        }
        crdt.flush().join();
    }

    /** Baseline: no coalescing, one block per put (flush after each). */
    @Benchmark
    @OperationsPerInvocation(BASELINE_PUTS_PER_INVOCATION)
    public void putOneBlockEach() {
        for (int i = 0; i < BASELINE_PUTS_PER_INVOCATION; i++) {
            int k = sequence[baselineNext++ % sequence.length];
            baseline.put(slotKeys[k], ByteBuffer.allocate(8).putLong(++totals[k]).array());
            baseline.flush().join();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        crdt.close();
        kv.close();
        BenchFiles.deleteTree(dir);
        baseline.close();
        baselineKv.close();
        BenchFiles.deleteTree(baselineDir);
    }
}
