package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resume path of {@link CrashTest}, in-process and many times over: a replica on RocksDB
 * "crashes" after its N-th store write (every later write is dropped, as SIGKILL drops it; N
 * random), is reopened on what reached the store, and so on; the last run merges to the end.
 * After every {@code whenIdle()} of that run the walk must be really done: no frontier entry in
 * memory or in the store. A resumed walk starts many fetches at once (the whole durable frontier),
 * and {@code whenIdle} must not complete while a finished fetch's stage is still unwritten or
 * unpublished (another thread owning the pump had just committed): the CrashChild would see
 * {@code pendingBlocks > 0} and a store that is not durable yet. Without the idle check's stage
 * condition about 1 iteration in 12 fails.
 */
class ResumeIdleTest {
    @TempDir
    Path dir;

    /** Passes the first {@code n} writes to the store and drops the rest: a process killed after its n-th write. */
    static final class KilledAfter implements KvStore {
        private final KvStore store;
        private final AtomicInteger left;

        KilledAfter(KvStore store, int n) {
            this.store = store;
            this.left = new AtomicInteger(n);
        }

        private boolean alive() {
            return left.getAndDecrement() > 0;
        }

        @Override public Optional<byte[]> get(byte[] key) { return store.get(key); }
        @Override public void put(byte[] key, byte[] value) { if (alive()) store.put(key, value); }
        @Override public void delete(byte[] key) { if (alive()) store.delete(key); }
        @Override public void scan(byte[] prefix, BiPredicate<byte[], byte[]> visitor) { store.scan(prefix, visitor); }
        @Override public Batch newBatch() { return store.newBatch(); }
        @Override public void write(Batch batch) { if (alive()) store.write(batch); }
        @Override public void close() { } // the real store outlives the "process"
        @Override public long sizeOnDiskBytes() { return 0; }
    }

    @Test
    void whenIdleAfterResumeMeansEveryMergedBlockIsDurableAndPublished() throws Exception {
        long seed = Long.getLong("warpstats.resume.seed", 1L);
        Random rnd = new Random(seed);
        Map<Cid, byte[]> blocks = new HashMap<>();
        List<Cid> heads = CrashTest.buildDag(rnd, blocks);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        byte[] frontierPrefix = "/CRDT/p/".getBytes(StandardCharsets.UTF_8);
        List<String> failures = new ArrayList<>();
        try {
            for (int it = 0; it < 60; it++) {
                try (KvStore db = KvStores.rocksDb(dir.resolve("db" + it))) {
                    for (int run = 0; run < 4; run++) {
                        boolean last = run == 3;
                        KvStore s = last ? db : new KilledAfter(db, 1 + rnd.nextInt(40));
                        MerkleCrdt c = MerkleCrdt.builder(s).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                                .maxConcurrentFetches(4)
                                .fetcher(cid -> CompletableFuture.supplyAsync(() -> blocks.get(cid), pool)).build();
                        heads.forEach(c.replication()::onHead);
                        c.replication().whenIdle().join();
                        if (last) {
                            CrdtMetrics m = c.metrics();
                            List<byte[]> stored = new ArrayList<>();
                            db.scan(frontierPrefix, (k, v) -> stored.add(k));
                            if (m.pendingBlocks() != 0 || !stored.isEmpty()) {
                                failures.add("iteration " + it + ": " + m + ", stored frontier " + stored.size());
                            }
                        }
                        c.close();
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(failures).as("seed %d: resumed walks idle before done", seed).isEmpty();
    }
}
