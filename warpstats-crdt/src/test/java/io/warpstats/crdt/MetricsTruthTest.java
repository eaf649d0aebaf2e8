package io.warpstats.crdt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.multiformats.Cid;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica's counters after known workloads: blocks held vs merged, the sync lag as an age, rejections by reason. */
class MetricsTruthTest {
    @TempDir Path dir;

    static MerkleCrdtBuilder manual(KvStore s) {
        return MerkleCrdt.builder(s).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO);
    }

    @Test
    void blocksHeldCountTheStoreAndSurviveAReopenWhileMergedCountsThisRun() {
        Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();
        Path db = dir.resolve("db");
        try (MerkleCrdt src = manual(KvStores.inMemory()).build()) {
            for (int i = 0; i < 7; i++) {
                src.put("/k/" + i, "v".getBytes(UTF_8));
                src.flush().join();
            }
            assertThat(src.metrics().blocksHeld()).isEqualTo(7);
            assertThat(src.metrics().localBlocks()).isEqualTo(7);
            Cid head = src.heads().get(0).cid();
            for (int i = 0; i < 7; i++) {
                // collect the chain for the fetcher below
                Block b = Block.decode(src.replication().block(head).orElseThrow());
                blocks.put(head, src.replication().block(head).orElseThrow());
                if (b.links().isEmpty()) break;
                head = b.links().get(0);
            }
            try (KvStore s = KvStores.rocksDb(db);
                 MerkleCrdt r = manual(s).fetcher(cid -> CompletableFuture.completedFuture(blocks.get(cid))).build()) {
                r.replication().onHead(src.heads().get(0).cid());
                r.replication().whenIdle().join();
                assertThat(r.metrics().mergedBlocks()).isEqualTo(7);
                assertThat(r.metrics().blocksHeld()).isEqualTo(7);
                r.put("/mine", "x".getBytes(UTF_8));
                r.flush().join();
                assertThat(r.metrics().blocksHeld()).isEqualTo(8);
                assertThat(r.metrics().syncLagMillis()).isZero();
            }
        }
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt r = manual(s).build()) {
            assertThat(r.metrics().blocksHeld()).as("held, from the store").isEqualTo(8);
            assertThat(r.metrics().mergedBlocks()).as("merged in this run").isZero();
        }
    }

    @Test
    void syncLagIsTheAgeOfTheOldestHeadNotMergedYet() throws Exception {
        CompletableFuture<byte[]> never = new CompletableFuture<>();
        try (MerkleCrdt src = manual(KvStores.inMemory()).build();
             MerkleCrdt r = manual(KvStores.inMemory()).fetcher(cid -> never).build()) {
            src.put("/k", "v".getBytes(UTF_8));
            src.flush().join();
            Cid head = src.heads().get(0).cid();
            assertThat(r.metrics().syncLagMillis()).isZero();
            long heard = System.nanoTime();
            r.replication().onHead(head);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (r.metrics().syncLagMillis() < 100 && System.nanoTime() < deadline) {
                Thread.sleep(10); // the lag grows with time by definition: waiting is the workload
            }
            long lag = r.metrics().syncLagMillis();
            assertThat(lag).isGreaterThanOrEqualTo(100).isLessThanOrEqualTo((System.nanoTime() - heard) / 1_000_000 + 1);
            never.complete(src.replication().block(head).orElseThrow());
            r.replication().whenIdle().join();
            assertThat(r.metrics().syncLagMillis()).as("merged: no lag").isZero();
        }
    }

    @Test
    void rejectionsAreCountedByReason() {
        Rejections r = new Rejections(e -> {});
        Block b = Block.of(java.util.List.of(), new Delta(java.util.List.of(Element.of("/a", new byte[] {1})), java.util.List.of(), 1, ""));
        r.remember(b.cid(), RejectedBlockException.Reason.UNAUTHORIZED, "x may not write /a");
        r.remember(b.cid(), RejectedBlockException.Reason.UNAUTHORIZED, "again");
        r.remember(b.cid(), RejectedBlockException.Reason.MALFORMED, "bad");
        assertThat(r.byReason()).containsEntry(RejectedBlockException.Reason.UNAUTHORIZED, 2L)
                .containsEntry(RejectedBlockException.Reason.MALFORMED, 1L)
                .containsEntry(RejectedBlockException.Reason.BAD_SIGNATURE, 0L)
                .containsEntry(RejectedBlockException.Reason.UNSIGNED, 0L);
        assertThat(RejectedBlockException.Reason.ofAuthorCheck("node may not write /k")).isEqualTo(RejectedBlockException.Reason.UNAUTHORIZED);
        assertThat(RejectedBlockException.Reason.ofAuthorCheck("unsigned delta")).isEqualTo(RejectedBlockException.Reason.UNSIGNED);
        assertThat(RejectedBlockException.Reason.ofAuthorCheck("signature does not verify")).isEqualTo(RejectedBlockException.Reason.BAD_SIGNATURE);
    }
}
