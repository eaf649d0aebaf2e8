package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStores;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When a replica writes its own checkpoints ({@link Checkpointer}, "When"): a due checkpoint waits for the local
 * writes to go quiet, unless the writes since the last one reach {@link Checkpointer#BUSY_FACTOR} triggers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckpointPacingTest {
    static final int FLUSHES = 400;
    static final int MIN_BYTES = 1024;

    @Test
    void aBusyWriterCheckpointsAtTheBusyFactorAndAQuietOneAtOnce() {
        // one key: the live state (and so each checkpoint) stays tiny, and MIN_BYTES is the trigger
        MerkleCrdt crdt = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                .compaction(new CompactionOptions(Duration.ofHours(1), MIN_BYTES)).build();
        try {
            crdt.put("/k", new byte[] {0});
            crdt.flush().join();
            long checkpointsBefore = crdt.metrics().checkpoints();
            // back to back: never QUIET between two flushes. A busy checkpoint runs on the engine's scheduler and
            // needs the flush lock that this loop takes again at once: past FLUSHES the loop goes on with a pause of
            // 1 ms per flush (far below QUIET) until the first one is written, so it is a busy one, never a quiet one
            int flushes = 0;
            int blockBytes = 0;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (flushes < FLUSHES
                    || (crdt.metrics().checkpoints() == checkpointsBefore && flushes < 20 * FLUSHES && System.nanoTime() < until)) {
                crdt.put("/k", new byte[] {(byte) ++flushes});
                crdt.flush().join();
                if (flushes == 1) { // the block of a flush, before any checkpoint (one flush is far below a trigger)
                    blockBytes = crdt.replication().block(crdt.replication().heads().get(0).cid()).orElseThrow().length;
                }
                if (flushes >= FLUSHES) LockSupport.parkNanos(1_000_000);
            }
            long checkpoints = crdt.metrics().checkpoints() - checkpointsBefore;
            // each flush writes one block of this size to twice it (the head measured may be the smallest kind:
            // a block can also carry a tombstone of the element it replaces); the triggers crossed, at least:
            long triggers = (long) flushes * blockBytes / MIN_BYTES;
            assertThat(triggers).as("the loop crosses many triggers").isGreaterThanOrEqualTo(4L * Checkpointer.BUSY_FACTOR);
            // written every BUSY_FACTOR triggers while the writes go on, not at every trigger
            assertThat(checkpoints).as("checkpoints in %d back-to-back flushes of ~%d B (%d triggers)", flushes, blockBytes, triggers)
                    .isGreaterThanOrEqualTo(1).isLessThanOrEqualTo(2 * triggers / Checkpointer.BUSY_FACTOR + 1);

            long before = crdt.metrics().checkpoints();
            // one more trigger's worth and below BUSY_FACTOR triggers: due, and written only once the writes go quiet
            for (int i = 0; i < MIN_BYTES / blockBytes + 2; i++) {
                crdt.put("/k", new byte[] {(byte) -i});
                crdt.flush().join();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (crdt.metrics().checkpoints() == before && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000); // bounded poll: the quiet check runs on the engine's scheduler
            }
            assertThat(crdt.metrics().checkpoints()).as("the due checkpoint, once the writes went quiet").isGreaterThan(before);
        } finally {
            crdt.close();
        }
    }
}
