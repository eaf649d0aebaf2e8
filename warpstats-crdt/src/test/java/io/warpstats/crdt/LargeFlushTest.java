package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.DagPb;
import io.warpstats.crdt.store.KvStores;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A generation far larger than one block (it must become a chain of valid blocks, never one block
 * over the 2 MiB dag-pb limit that every later flush would fail on), and a producer faster than the
 * flush: memory must stay bounded and everything must become durable and replicable.
 */
class LargeFlushTest {
    private static String longKey(int i) {
        return "/incr/likes/post-" + i + "/" + "x".repeat(100) + "/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
    }

    /** Every block under the heads, checked: size below the budget, at most maxBatchKeys entries. */
    private static Map<Cid, byte[]> blocksOf(MerkleCrdt c, int maxBatchKeys) {
        Map<Cid, byte[]> blocks = new HashMap<>();
        c.heads().forEach(h -> EngineTest.collect(c, h.cid(), blocks));
        for (byte[] b : blocks.values()) {
            assertThat(b.length).isLessThanOrEqualTo(MerkleCrdtOptions.MAX_BLOCK_BUDGET).isLessThan(DagPb.MAX_BLOCK_SIZE);
            Delta d = Block.decode(b).delta();
            assertThat(d.elements().size() + d.tombstones().size()).isLessThanOrEqualTo(maxBatchKeys);
        }
        return blocks;
    }

    @Test
    void largeGenerationIsSplitIntoAChainOfValidBlocksThatAnotherReplicaMerges() {
        int n = 50_000, maxBatch = 20_000;
        // checkpoints only on compact(): the ~9 MB flushed would trigger one, whose parts would change a's heads
        // while b merges the chain alone
        try (MerkleCrdt a = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).maxBatchKeys(maxBatch)
                .maxPendingKeys(n * 2).rebroadcastInterval(Duration.ZERO)
                .compaction(new CompactionOptions(Duration.ofHours(1), Long.MAX_VALUE)).build()) {
            byte[] v = Keys.longBytes(7);
            a.put(longKey(-1), v);
            a.flush().join();
            for (int i = 0; i < n; i++) a.put(longKey(i), Keys.longBytes(i));
            a.flush().join();
            assertThat(a.heads()).hasSize(1);
            Map<Cid, byte[]> blocks = blocksOf(a, maxBatch);
            assertThat(blocks.size()).isGreaterThan(5); // ~9 MB of keys in blocks of at most 1 MiB
            assertThat(a.metrics().localBlocks()).isEqualTo(blocks.size());
            // a chain: every block links to exactly the previous one, priorities 1, 2, 3, …
            Cid c = a.heads().get(0).cid();
            long prio = a.heads().get(0).height();
            while (true) {
                Block blk = Block.decode(blocks.get(c));
                assertThat(blk.delta().priority()).isEqualTo(prio--);
                if (blk.links().isEmpty()) break;
                assertThat(blk.links()).hasSize(1);
                c = blk.links().get(0);
            }
            assertThat(prio).isZero();

            try (MerkleCrdt b = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                    .fetcher(cid -> CompletableFuture.completedFuture(blocks.get(cid))).build()) {
                a.heads().forEach(h -> b.replication().onHead(h.cid()));
                b.replication().whenIdle().join();
                assertThat(b.heads()).isEqualTo(a.heads());
                assertThat(EngineTest.dump(b)).hasSize(n + 1).isEqualTo(EngineTest.dump(a));
            }
        }
    }

    @Test
    void deleteOfAKeyWithManyElementsSplitsItsTombstones() {
        String key = "/k/" + "y".repeat(4000);
        try (MerkleCrdt a = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO).build();
             MerkleCrdt b = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                     .compaction(CompactionOptions.disabled()).build()) { // its 600 elements stay (a checkpoint would keep one)
            // b writes the key 600 times (600 elements), a merges them, then deletes the key: ~2.5 MB of tombstones
            for (int i = 0; i < 600; i++) {
                b.put(key, Keys.longBytes(i));
                b.flush().join();
            }
            Map<Cid, byte[]> fromB = new HashMap<>();
            b.heads().forEach(h -> EngineTest.collect(b, h.cid(), fromB));
            try (MerkleCrdt a2 = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO).compaction(CompactionOptions.disabled())
                    .fetcher(cid -> CompletableFuture.completedFuture(fromB.get(cid))).build()) {
                b.heads().forEach(h -> a2.replication().onHead(h.cid()));
                a2.replication().whenIdle().join();
                assertThat(a2.get(key)).isPresent();
                a2.delete(key);
                a2.put("/other", Keys.longBytes(1));
                a2.flush().join();
                assertThat(a2.get(key)).isEmpty();
                Map<Cid, byte[]> all = blocksOf(a2, Integer.MAX_VALUE);
                long tombBlocks = all.values().stream().filter(x -> !Block.decode(x).delta().tombstones().isEmpty()).count();
                assertThat(tombBlocks).isGreaterThan(1);
                // b learns the delete from a2 and converges
                try (MerkleCrdt b2 = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                        .fetcher(cid -> CompletableFuture.completedFuture(all.get(cid))).build()) {
                    a2.heads().forEach(h -> b2.replication().onHead(h.cid()));
                    b2.replication().whenIdle().join();
                    assertThat(b2.get(key)).isEmpty();
                    assertThat(EngineTest.dump(b2)).isEqualTo(EngineTest.dump(a2));
                }
            }
        }
    }

    @Test
    void producerFasterThanTheFlushStaysWithinTheBound() {
        int maxBatch = 500, maxPending = 2_000, total = 60_000;
        AtomicInteger changes = new AtomicInteger();
        MaterializedView slowStore = MaterializedView.of("/test/slow/", "", (k, o, nv, rows) -> {
                if (changes.incrementAndGet() % 100 == 0) { // a slow store: a flush of 500 keys takes >= 5 ms
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
        try (MerkleCrdt a = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ofMillis(5)).maxBatchKeys(maxBatch)
                .maxPendingKeys(maxPending).rebroadcastInterval(Duration.ZERO).view(slowStore).build()) {
            CrdtEngine e = (CrdtEngine) a;
            int max = 0;
            for (int i = 0; i < total; i++) {
                a.put("/k/" + i, Keys.longBytes(i));
                max = Math.max(max, e.pendingKeys());
            }
            // the current generation never exceeds the bound (+1 for the put that found it full), plus the one being flushed
            assertThat(max).isLessThanOrEqualTo(2 * maxPending + 2);
            assertThat(e.backpressureWaits()).isPositive();
            a.flush().join();
            assertThat(e.pendingKeys()).isZero();
            assertThat(EngineTest.dump(a)).hasSize(total);
            List<Head> heads = a.heads();
            assertThat(heads).hasSize(1);
        }
    }
}
