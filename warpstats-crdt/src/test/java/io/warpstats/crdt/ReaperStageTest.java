package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
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
     * reap (63 stages) runs too: it must come before the reap ends (between two stages, or while the busy replica's
     * reap waits). A reap run as one task (the earlier engine) flushes the write only once all 2,000 are gone. How
     * far the reap got by then depends on the machine (it starts as soon as the checkpoint is held, before the write;
     * on 2 loaded cores 1,088 of the 2,000 were gone at the flush), so the bound is the reap's end.
     */
    @Test
    void aLocalFlushDoesNotWaitForALongReap() {
        try (Covered c = new Covered(dir.resolve("timer"))) {
            c.reader.put("/local", new byte[] {1}); // no explicit flush: the 5 ms timer, on the scheduler
            long reaped = c.reapedAtFirstFlush.orTimeout(60, TimeUnit.SECONDS).join();
            assertThat(reaped).as("covered blocks reaped when the local write was flushed").isLessThan(COVERED);

            c.reader.replication().whenIdle().join(); // waits for the reap's last stage
            assertThat(c.reader.metrics().reapedBlocks()).as("every covered block reaped").isEqualTo(COVERED);
            assertThat(c.reader.get("/local")).hasValue(new byte[] {1});
            assertThat(c.reader.get("/k/7")).hasValue(new byte[] {7});
        }
    }

    /**
     * While local writes keep coming (a flush every 20 ms for 1.5 s), the reap that the checkpoint made due waits
     * (for at most {@link CrdtEngine#REAP_DEFER_MAX_NANOS}); once they stop, it runs to the end. A reap at full speed
     * deletes the 2,000 blocks well within the 1.5 s (one paced at half a thread may not, so this test does not tell
     * the wait from the pause).
     */
    @Test
    void aReapWaitsWhileTheReplicaIsWrittenTo() {
        try (Covered c = new Covered(dir.resolve("busy"))) {
            c.reader.put("/local", new byte[] {0});
            c.reader.flush().join();
            long before = c.reader.metrics().reapedBlocks(); // the stages that ran before the replica was busy
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
            for (int i = 1; i < 200 && System.nanoTime() < end; i++) {
                c.reader.put("/local", new byte[] {(byte) i});
                c.reader.flush().join();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the write rate, not a synchronisation
            }
            assertThat(c.reader.metrics().reapedBlocks() - before).as("covered blocks reaped while written to (%d before)", before)
                    .isLessThan(COVERED / 4);

            c.reader.replication().whenIdle().join(); // quiet now: the reap runs to its end
            assertThat(c.reader.metrics().reapedBlocks()).as("every covered block reaped once quiet").isEqualTo(COVERED);
        }
    }

    /** An author's 2,000 blocks merged by a reader with a 5 ms flush timer, then the checkpoint covering them. */
    private static final class Covered implements AutoCloseable {
        final MerkleCrdt author = CompactionPair.author(); // checkpoints only on compact()
        final KvStore store;
        final MerkleCrdt reader;
        /** The reader's reaped blocks at the first flush of a local write (its view sees the change in the flush). */
        final CompletableFuture<Long> reapedAtFirstFlush = new CompletableFuture<>();

        Covered(Path path) {
            for (int i = 0; i < COVERED; i++) {
                author.put("/k/" + i, new byte[] {(byte) i});
                author.flush().join();
            }
            AtomicReference<MerkleCrdt> self = new AtomicReference<>();
            MaterializedView local = MaterializedView.of("/v/local/", "/local", (key, oldValue, newValue, rows) ->
                    reapedAtFirstFlush.complete(self.get().metrics().reapedBlocks()));
            store = KvStores.rocksDb(path);
            reader = MerkleCrdt.builder(store).flushDelay(Duration.ofMillis(5)).rebroadcastInterval(Duration.ZERO)
                    .view(local).fetcher(CompactionPair.fetcherOf(author)).build();
            self.set(reader);
            CompactionPair.follow(reader, author);
            assertThat(reader.metrics().blocksHeld()).as("the history merged").isEqualTo(COVERED);
            CompactionPair.checkpointAndAwaitHeld(reader, author);
        }

        @Override
        public void close() {
            reader.close();
            store.close();
            author.close();
        }
    }
}
