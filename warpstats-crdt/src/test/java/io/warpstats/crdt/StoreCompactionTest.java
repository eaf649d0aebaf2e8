package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The background compaction of the store's files ({@link StoreCompactor}), on a real RocksDB. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreCompactionTest {
    @TempDir
    Path dir;

    static final int KEYS = 2_000;
    static final int PASSES = 10;

    /**
     * Ten passes over 2,000 keys (200 blocks of incompressible values) are flushed into SST files; the store is
     * reopened and a checkpoint covers them, so the reaper deletes them in one stage. The deleted rows are in the
     * SST files, the tombstones in the memtable: far fewer than RocksDB's level-0 trigger and compact-on-deletion
     * need, so without the background compaction the disk would stay at the history's size.
     */
    @Test
    void rowsTheReaperDeletesLeaveTheDiskWithoutASizeDrivenCompaction() {
        Path db = dir.resolve("crdt");
        byte[][] last;
        try (KvStore store = KvStores.rocksDb(db)) {
            MerkleCrdt crdt = builder(store).compaction(new CompactionOptions(Duration.ofHours(1), Long.MAX_VALUE)
                    .withStoreCompaction(1, Duration.ZERO)).build(); // no checkpoint, no store compaction: the history stays
            last = write(crdt, PASSES);
            assertThat(crdt.metrics().blocksHeld()).isEqualTo(PASSES * KEYS / 100);
            crdt.close();
        } // flushed into SST files at close
        try (KvStore store = KvStores.rocksDb(db)) {
            long history = store.compactableBytes();
            assertThat(history).as("the history in SST files").isGreaterThan(4_000_000);
            MerkleCrdt crdt = builder(store).compaction(new CompactionOptions(Duration.ofHours(1), Long.MAX_VALUE)
                    .withStoreCompaction(64 << 10, Duration.ofHours(1))).build(); // the timer never fires here: the reaper triggers it
            crdt.compact().join(); // a checkpoint; the reaper deletes the 200 covered blocks in one stage
            ((CrdtEngine) crdt).checkStoreCompaction().join(); // queued after the check the reaper asked for
            assertThat(crdt.metrics().reapedBlocks()).as("blocks reaped").isEqualTo(PASSES * KEYS / 100);
            assertThat(crdt.metrics().storeCompactions()).as("store compactions").isEqualTo(1);
            long held = rowBytes(store);
            assertThat(store.compactableBytes()).as("SST bytes against %,d bytes of rows held (%,d before)", held, history)
                    .isLessThan(held * 3 / 2 + (64 << 10))
                    .isLessThan(history / 3);
            for (int k = 0; k < KEYS; k += 97) assertThat(crdt.get(key(k))).hasValue(last[k]);
            crdt.close();
        }
    }

    /**
     * A graceful close after a reap that the interval kept from compacting: the first store compaction has just run
     * (interval one hour), then 30 more passes (~12 MB, so most of it is flushed into SST files) are checkpointed and
     * reaped. The check the reaper asks for is held back by the interval; the close runs it, so the store the replica
     * leaves is its live rows, not the history.
     */
    @Test
    void aGracefulCloseRunsTheStoreCompactionTheIntervalHeldBack() {
        try (KvStore store = KvStores.rocksDb(dir.resolve("graceful"))) {
            MerkleCrdt crdt = builder(store).compaction(new CompactionOptions(Duration.ofHours(1), Long.MAX_VALUE)
                    .withStoreCompaction(64 << 10, Duration.ofHours(1))).build();
            byte[][] last = write(crdt, 2);
            crdt.compact().join();
            ((CrdtEngine) crdt).checkStoreCompaction().join();
            assertThat(crdt.metrics().storeCompactions()).as("the first store compaction").isEqualTo(1);
            last = write(crdt, 30);
            crdt.compact().join(); // reaps the 600 blocks; the check it asks for falls within the interval
            ((CrdtEngine) crdt).checkStoreCompaction().join();
            assertThat(crdt.metrics().storeCompactions()).as("held back by the interval").isEqualTo(1);
            long before = store.compactableBytes();
            long held = rowBytes(store);
            assertThat(before).as("SST bytes before the close against %,d bytes of rows held", held).isGreaterThan(held * 2);
            crdt.close();
            assertThat(crdt.metrics().storeCompactions()).as("the close compacted").isEqualTo(2);
            assertThat(store.compactableBytes()).as("SST bytes after the close (%,d before) against %,d bytes of rows held", before, held)
                    .isLessThan(held * 3 / 2 + (64 << 10));
            MerkleCrdt again = builder(store).build();
            for (int k = 0; k < KEYS; k += 97) assertThat(again.get(key(k))).hasValue(last[k]);
            again.close();
        }
    }

    /** {@code passes} passes over the {@link #KEYS} keys, 200 incompressible bytes each, a block per 100 puts; the last values. */
    private static byte[][] write(MerkleCrdt crdt, int passes) {
        byte[][] last = new byte[KEYS][];
        SplittableRandom rnd = new SplittableRandom(passes);
        for (int pass = 0; pass < passes; pass++) {
            for (int k = 0; k < KEYS; k++) {
                byte[] v = new byte[200];
                rnd.nextBytes(v);
                last[k] = v;
                crdt.put(key(k), v);
                if (k % 100 == 99) crdt.flush().join();
            }
        }
        return last;
    }

    /** A close given a budget waits for a running store compaction that long, then cancels it; nothing is lost. */
    @Test
    void closeGivesARunningCompactionItsBudgetThenCancelsIt() throws Exception {
        Duration budget = Duration.ofMillis(500);
        try (KvStore real = KvStores.rocksDb(dir.resolve("budget"))) {
            BlockingCompaction store = new BlockingCompaction(real);
            MerkleCrdt crdt = builder(store).compaction(CompactionOptions.defaults().withStoreCompaction(1, Duration.ofMillis(1))
                    .withCloseBudget(budget)).build();
            startCompaction(crdt, store);
            long t0 = System.nanoTime();
            crdt.close();
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(store.cancelled.getCount()).as("the running compaction was cancelled").isZero();
            assertThat(closeMs).as("close with a compaction running, ms").isGreaterThanOrEqualTo(budget.toMillis())
                    .isLessThan(budget.toMillis() + StoreCompactor.CLOSE_WAIT_MILLIS);
        }
        try (KvStore real = KvStores.rocksDb(dir.resolve("budget"))) {
            MerkleCrdt crdt = builder(real).build();
            assertThat(crdt.get(key(1))).hasValue(new byte[] {1});
            crdt.close();
        }
    }

    /** A close without a budget, while a store compaction runs, cancels it and returns at once; nothing is lost. */
    @Test
    void closeDuringARunningCompactionReturnsPromptly() throws Exception {
        try (KvStore real = KvStores.rocksDb(dir.resolve("close"))) {
            BlockingCompaction store = new BlockingCompaction(real);
            MerkleCrdt crdt = builder(store).compaction(CompactionOptions.defaults().withStoreCompaction(1, Duration.ofMillis(1))
                    .withCloseBudget(Duration.ZERO)).build();
            startCompaction(crdt, store);
            long t0 = System.nanoTime();
            crdt.close();
            long closeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(store.cancelled.getCount()).as("the running compaction was cancelled").isZero();
            assertThat(closeMs).as("close with a compaction running, ms").isLessThan(StoreCompactor.CLOSE_WAIT_MILLIS);
            assertThat(crdt.metrics().storeCompactions()).isZero();
        }
        try (KvStore real = KvStores.rocksDb(dir.resolve("close"))) {
            MerkleCrdt crdt = builder(real).build();
            assertThat(crdt.get(key(1))).hasValue(new byte[] {1});
            crdt.close();
        }
    }

    /**
     * Writes until a store compaction starts: growth of at least a byte is due, but the compactor's first task
     * reads the size it grows from, and on a loaded machine that task may run after the first write.
     */
    private static void startCompaction(MerkleCrdt crdt, BlockingCompaction store) throws InterruptedException {
        for (int i = 0; i < 100 && store.started.getCount() > 0; i++) {
            crdt.put(key(1), new byte[] {1});
            crdt.flush().join();
            ((CrdtEngine) crdt).checkStoreCompaction(); // growth ≥ 1 byte: due
            store.started.await(300, TimeUnit.MILLISECONDS);
        }
        assertThat(store.started.getCount()).as("a compaction started").isZero();
    }

    private static MerkleCrdtBuilder builder(KvStore store) {
        return MerkleCrdt.builder(store).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO);
    }

    static String key(int k) {
        return "/k/" + k;
    }

    /** Key and value bytes of every row of the store. */
    private static long rowBytes(KvStore store) {
        long[] n = {0};
        store.scan(new byte[0], (k, v) -> {
            n[0] += k.length + v.length;
            return true;
        });
        return n[0];
    }

    /** A store whose compaction runs until it is cancelled (a long compaction of a large store). */
    static final class BlockingCompaction implements KvStore {
        private final KvStore store;
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch cancelled = new CountDownLatch(1);

        BlockingCompaction(KvStore store) {
            this.store = store;
        }

        @Override public Optional<byte[]> get(byte[] key) { return store.get(key); }
        @Override public void put(byte[] key, byte[] value) { store.put(key, value); }
        @Override public void delete(byte[] key) { store.delete(key); }
        @Override public void scan(byte[] prefix, BiPredicate<byte[], byte[]> visitor) { store.scan(prefix, visitor); }
        @Override public void scan(byte[] prefix, byte[] from, BiPredicate<byte[], byte[]> visitor) { store.scan(prefix, from, visitor); }
        @Override public Batch newBatch() { return store.newBatch(); }
        @Override public void write(Batch batch) { store.write(batch); }
        @Override public long sizeOnDiskBytes() { return store.sizeOnDiskBytes(); }
        @Override public void close() { } // the real store is closed by the test

        @Override
        public boolean compact() {
            started.countDown();
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return !cancelled.await(60, TimeUnit.SECONDS); // false: cancelled
                    } catch (InterruptedException e) {
                        interrupted = true; // as RocksDB's native compaction: an interrupt does not stop it, a cancel does
                    }
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        @Override
        public void cancelCompactions() {
            cancelled.countDown();
        }
    }
}
