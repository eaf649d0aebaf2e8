package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a graceful close finishes within {@link CompactionOptions#closeBudget()} (the reap of covered blocks), and
 * {@link MerkleCrdt#tidy()}, which does the same without closing and without a budget.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseBudgetTest {
    @TempDir
    Path dir;

    static final int BLOCKS = 2_000;

    /**
     * A replica merges another's 2,000 blocks, then the checkpoint that covers them, and is closed the moment the
     * checkpoint is held: its reap (stages of {@link Reaper#CHUNK} blocks) has only begun. The close finishes it, so
     * the store it leaves holds the checkpoint, not the history it covers.
     */
    @Test
    void aCloseRightAfterACheckpointMergedFinishesTheReap() {
        MerkleCrdt author = CompactionPair.author(); // checkpoints only on compact()
        for (int i = 0; i < BLOCKS; i++) {
            author.put("/k/" + i, new byte[] {(byte) i});
            author.flush().join();
        }
        try (KvStore store = KvStores.rocksDb(dir.resolve("reader"))) {
            MerkleCrdt reader = CompactionPair.readerOf(store, author);
            CompactionPair.follow(reader, author);
            assertThat(reader.metrics().blocksHeld()).as("the history merged").isEqualTo(BLOCKS);

            CompactionPair.checkpointAndAwaitHeld(reader, author); // the close comes as soon as the checkpoint is merged
            reader.close();
            assertThat(reader.metrics().reapedBlocks()).as("blocks reaped by the time the close returned").isEqualTo(BLOCKS);
            assertThat(reader.metrics().blocksHeld()).as("blocks held after the close").isLessThan(BLOCKS / 100);
            MerkleCrdt again = MerkleCrdt.builder(store).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO).build();
            for (int i = 0; i < BLOCKS; i += 101) assertThat(again.get("/k/" + i)).hasValue(new byte[] {(byte) i});
            again.close();
        } finally {
            author.close();
        }
    }

    /**
     * {@link MerkleCrdt#tidy()} finishes the reap and runs a due store compaction even within the compaction interval
     * (an hour here, so only tidy can run the second one), and the replica stays open.
     */
    @Test
    void tidyReapsAndCompactsTheStoreWithoutClosing() {
        MerkleCrdt author = CompactionPair.author();
        CompactionOptions hourly = CompactionOptions.defaults().withStoreCompaction(1, Duration.ofHours(1));
        try (KvStore store = KvStores.rocksDb(dir.resolve("tidy"))) {
            MerkleCrdt reader = CompactionPair.readerOf(store, author, hourly);
            try {
                for (int round = 1; round <= 2; round++) {
                    for (int i = 0; i < BLOCKS / 2; i++) {
                        author.put("/k/" + i, new byte[] {(byte) round, (byte) i});
                        author.flush().join();
                    }
                    CompactionPair.follow(reader, author);
                    long compactionsBefore = reader.metrics().storeCompactions();
                    author.compact().join();
                    CompactionPair.follow(reader, author);
                    reader.tidy().join();
                    assertThat(reader.metrics().reapedBlocks()).as("round %d: every covered block reaped", round)
                            .isEqualTo((long) round * BLOCKS / 2 + (round - 1));
                    assertThat(reader.metrics().blocksHeld()).as("round %d: the checkpoint is what is held", round).isLessThan(BLOCKS / 100);
                    assertThat(reader.metrics().storeCompactions()).as("round %d: the store compacted", round).isGreaterThan(compactionsBefore);
                }
                for (int i = 0; i < BLOCKS / 2; i += 101) assertThat(reader.get("/k/" + i)).hasValue(new byte[] {2, (byte) i});
                reader.put("/still/open", new byte[] {1});
                reader.flush().join();
            } finally {
                reader.close();
            }
        } finally {
            author.close();
        }
    }
}
