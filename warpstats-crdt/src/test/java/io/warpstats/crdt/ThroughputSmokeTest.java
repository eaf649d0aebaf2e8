package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke test of the hot paths on RocksDB (the JMH benchmark lives in warpstats-bench): prints
 * puts/s with Zipf-skewed keys and a 10 ms flush, and merged blocks/s. Asserts only correctness,
 * since the machine is shared.
 */
class ThroughputSmokeTest {
    @TempDir
    Path dir;

    @Test
    void localPutsAndRemoteMerges() {
        int keys = 1000;
        double[] cdf = new double[keys];
        double sum = 0;
        for (int i = 0; i < keys; i++) cdf[i] = sum += 1.0 / (i + 1);
        Random rnd = new Random(1);
        int n = 1 << 16;
        String[] sample = new String[n];
        byte[][] values = new byte[n][];
        for (int i = 0; i < n; i++) {
            double u = rnd.nextDouble() * sum;
            int lo = 0, hi = keys - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] < u) lo = mid + 1;
                else hi = mid;
            }
            sample[i] = "/incr/likes/post-" + lo + "/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
            values[i] = Keys.longBytes(i);
        }
        Map<Cid, byte[]> blocks = new HashMap<>();
        List<Cid> heads = new ArrayList<>();
        try (KvStore s = KvStores.rocksDb(dir.resolve("a"))) {
            MerkleCrdt c = MerkleCrdt.builder(s).flushDelay(Duration.ofMillis(10)).rebroadcastInterval(Duration.ZERO)
                    .compaction(CompactionOptions.disabled()).build(); // its whole history is merged by the replica below
            long total = 4_000_000, t0 = System.nanoTime();
            for (long i = 0; i < total; i++) c.put(sample[(int) (i & (n - 1))], values[(int) (i & (n - 1))]);
            c.flush().join();
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("local: %.0f puts/s (%d puts, %d blocks)%n", total / secs, total, c.metrics().localBlocks());
            c.heads().forEach(h -> heads.add(h.cid()));
            heads.forEach(h -> EngineTest.collect(c, h, blocks));
            assertThat(c.get(sample[(int) ((total - 1) & (n - 1))])).isPresent();
            c.close();
        }
        // remote merging is measured on small blocks (a few elements each), the shape of gossip
        blocks.clear();
        heads.clear();
        try (KvStore s = KvStores.rocksDb(dir.resolve("src"))) {
            MerkleCrdt c = MerkleCrdt.builder(s).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                    .compaction(CompactionOptions.disabled()).build();
            for (int i = 0; i < 20_000; i++) {
                c.put(sample[i & (n - 1)], values[i & (n - 1)]);
                c.put(sample[(i * 7) & (n - 1)], values[i & (n - 1)]);
                c.flush().join();
            }
            c.heads().forEach(h -> heads.add(h.cid()));
            heads.forEach(h -> EngineTest.collect(c, h, blocks));
            c.close();
        }
        try (KvStore s = KvStores.rocksDb(dir.resolve("b"))) {
            MerkleCrdt r = MerkleCrdt.builder(s).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                    .fetcher(cid -> CompletableFuture.completedFuture(blocks.get(cid))).build();
            long t0 = System.nanoTime();
            heads.forEach(r.replication()::onHead);
            r.replication().whenIdle().join();
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("remote: %.0f merged blocks/s (%d blocks of ~%d elements)%n", blocks.size() / secs, blocks.size(),
                    blocks.isEmpty() ? 0 : Block.decode(blocks.values().iterator().next()).delta().elements().size());
            assertThat(r.metrics().mergedBlocks()).isEqualTo(blocks.size());
            r.close();
        }
    }
}
