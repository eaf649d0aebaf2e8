package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.multiformats.Cid;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the {@link Reaper} splits a reap into stages (by element rows, not only by blocks) and how the engine runs
 * them: one task per stage, so local flushes are not held behind a whole reap.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReaperStageTest {
    @TempDir
    Path dir;

    static final int BLOCKS = 6;
    static final int KEYS_PER_BLOCK = 3_000;

    /**
     * Six blocks of 3,000 elements each (a replica that coalesced bursts of writes), all covered by one checkpoint:
     * each one is above {@link Reaper#CHUNK_ROWS}, so each goes in a stage of its own, where a bound of
     * {@link Reaper#CHUNK} blocks alone would have taken all six, 18,000 rows, in one stage under the write lock.
     * The reap still ends with the checkpoint's state and no covered block.
     */
    @Test
    void blocksCarryingManyElementsAreReapedInStagesOfTheirOwn() {
        MerkleCrdt author = CompactionPair.author(); // checkpoints only on compact()
        for (int b = 0; b < BLOCKS; b++) {
            for (int k = 0; k < KEYS_PER_BLOCK; k++) author.put("/k/" + k, new byte[] {(byte) b});
            author.flush().join();
        }
        try (KvStore store = KvStores.rocksDb(dir.resolve("reader"))) {
            MerkleCrdt reader = CompactionPair.readerOf(store, author);
            CompactionPair.follow(reader, author);
            assertThat(reader.metrics().blocksHeld()).as("the history merged").isEqualTo(BLOCKS);
            long stagesBefore = ((CrdtEngine) reader).reapStages();

            author.compact().join();
            CompactionPair.follow(reader, author);

            assertThat(reader.metrics().reapedBlocks()).as("covered blocks reaped").isEqualTo(BLOCKS);
            assertThat(((CrdtEngine) reader).reapStages() - stagesBefore).as("stages of the reap").isEqualTo(BLOCKS);
            for (int k = 0; k < KEYS_PER_BLOCK; k += 97) {
                assertThat(reader.get("/k/" + k)).hasValue(new byte[] {(byte) (BLOCKS - 1)});
            }
            reader.close();
        } finally {
            author.close();
        }
    }

    static final int COVERED = 2_000;

    /**
     * A replica with a 5 ms flush timer merges another's 2,000 blocks and then the checkpoint covering them, and is
     * written to locally the moment the checkpoint is held. The timer flush runs on the engine's scheduler, where the
     * reap (63 stages) runs too: it must come between two stages, while most covered blocks are still held, not
     * after the last one. A reap run as one task (the earlier engine) flushes the write only once all 2,000 are gone.
     */
    @Test
    void aLocalFlushRunsBetweenTwoStagesOfALongReap() {
        MerkleCrdt author = CompactionPair.author(); // checkpoints only on compact()
        for (int i = 0; i < COVERED; i++) {
            author.put("/k/" + i, new byte[] {(byte) i});
            author.flush().join();
        }
        AtomicReference<MerkleCrdt> self = new AtomicReference<>();
        CompletableFuture<Long> reapedAtFlush = new CompletableFuture<>();
        MaterializedView local = MaterializedView.of("/v/local/", "/local", (key, oldValue, newValue, rows) ->
                reapedAtFlush.complete(self.get().metrics().reapedBlocks()));
        try (KvStore store = KvStores.rocksDb(dir.resolve("timer"))) {
            MerkleCrdt reader = MerkleCrdt.builder(store).flushDelay(Duration.ofMillis(5)).rebroadcastInterval(Duration.ZERO)
                    .view(local)
                    .fetcher(cid -> author.replication().block(cid).map(CompletableFuture::completedFuture)
                            .orElseGet(() -> CompletableFuture.failedFuture(new IllegalStateException("not held: " + cid))))
                    .build();
            self.set(reader);
            try {
                CompactionPair.follow(reader, author);
                assertThat(reader.metrics().blocksHeld()).as("the history merged").isEqualTo(COVERED);

                author.compact().join();
                Cid checkpoint = author.replication().heads().get(0).cid();
                reader.replication().onHead(checkpoint);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!reader.replication().hasBlock(checkpoint) && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(200_000); // a bounded poll: the write must come as soon as the reap starts
                }
                assertThat(reader.replication().hasBlock(checkpoint)).as("the checkpoint merged").isTrue();
                reader.put("/local", new byte[] {1}); // no explicit flush: the 5 ms timer, on the scheduler
                long reaped = reapedAtFlush.orTimeout(60, TimeUnit.SECONDS).join();
                assertThat(reaped).as("covered blocks reaped when the local write was flushed").isLessThan(COVERED / 2);

                reader.replication().whenIdle().join(); // waits for the reap's last stage
                assertThat(reader.metrics().reapedBlocks()).as("every covered block reaped").isEqualTo(COVERED);
                assertThat(reader.get("/local")).hasValue(new byte[] {1});
                assertThat(reader.get("/k/7")).hasValue(new byte[] {7});
            } finally {
                reader.close();
            }
        } finally {
            author.close();
        }
    }
}
