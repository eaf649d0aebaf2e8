package io.warpstats.crdt.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RateLimiter;

/** {@link KvStore#compact()} on RocksDB is cancelled by {@link KvStore#cancelCompactions()} and by {@link KvStore#close()}. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CompactionCancelTest {
    @TempDir
    Path dir;

    /** RocksDB's compaction writes at this rate here: a full compaction of the store takes ≥ 16 s. */
    static final long RATE = 1L << 20;

    @Test
    void closeCancelsARunningCompactionAndReturnsPromptly() throws Exception {
        Path db = dir.resolve("db");
        fill(db);
        try (RateLimiter slow = new RateLimiter(RATE)) {
            RocksKvStore store = new RocksKvStore(db, false, o -> o.setRateLimiter(slow));
            assertThat(store.compactableBytes()).as("SST bytes to compact").isGreaterThan(16 * RATE);
            CompletableFuture<Boolean> compacted = CompletableFuture.supplyAsync(store::compact);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (store.runningCompactions() == 0 && !compacted.isDone() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000); // a bounded wait for the other thread to enter compact()
            }
            assertThat(store.runningCompactions()).as("a compaction running").isEqualTo(1);
            long t0 = System.nanoTime();
            store.close();
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(compacted.get(10, TimeUnit.SECONDS)).as("compact() reports the cancel").isFalse();
            assertThat(closeMs).as("close during a compaction of ≥ 16 s, ms").isLessThan(8_000);
            assertThat(store.compact()).as("no compaction after close").isFalse();
        }
        try (KvStore s = KvStores.rocksDb(db)) { // intact
            assertThat(s.get("/k/0".getBytes(UTF_8))).isPresent();
            assertThat(s.get("/k/39999".getBytes(UTF_8))).isPresent();
            assertThat(s.compact()).as("an uncancelled compaction completes").isTrue();
        }
    }

    /**
     * 40,000 rows of 500 incompressible bytes in one bottommost file, fully compacted: RocksDB has no compaction of its
     * own to run, so what the close could wait for is the manual compaction alone.
     */
    private static void fill(Path db) {
        SplittableRandom rnd = new SplittableRandom(5);
        try (KvStore s = KvStores.rocksDb(db)) {
            for (int b = 0; b < 400; b++) {
                KvStore.Batch batch = s.newBatch();
                for (int i = 0; i < 100; i++) {
                    byte[] v = new byte[500];
                    rnd.nextBytes(v);
                    batch.put(("/k/" + (b * 100 + i)).getBytes(UTF_8), v);
                }
                s.write(batch);
            }
            assertThat(s.compact()).isTrue();
        }
    }
}
