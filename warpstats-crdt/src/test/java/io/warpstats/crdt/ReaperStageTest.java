package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How the {@link Reaper} splits a reap into stages: by element rows, not only by blocks. */
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
}
