package io.warpstats.crdt;

import java.time.Duration;
import java.util.Objects;

/**
 * When a replica writes checkpoints of its own writes (docs/crdt.md, "Compaction"). Merging other
 * replicas' checkpoints and deleting the blocks they cover happens whatever these say; these only
 * decide whether this replica folds its own history.
 *
 * @param checkpointInterval a checkpoint at least this often while the replica writes; {@link Duration#ZERO}:
 *                           compaction off — no checkpoints, and local deltas carry no epoch, so they are
 *                           byte for byte go-ds-crdt's and nobody's checkpoint ever covers them
 * @param checkpointMinBytes a checkpoint once own blocks of at least max(this, the last checkpoint's size)
 *                           bytes were written since the last one
 */
public record CompactionOptions(Duration checkpointInterval, long checkpointMinBytes) {
    public CompactionOptions {
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        if (checkpointInterval.isNegative()) throw new IllegalArgumentException("checkpointInterval must be >= 0");
        if (checkpointMinBytes < 1) throw new IllegalArgumentException("checkpointMinBytes must be >= 1");
    }

    /** Every 10 minutes while writing, or once 1 MiB (or the last checkpoint's size) of own blocks was written. */
    public static CompactionOptions defaults() {
        return new CompactionOptions(Duration.ofMinutes(10), 1L << 20);
    }

    /** No checkpoints of this replica's own writes. */
    public static CompactionOptions disabled() {
        return new CompactionOptions(Duration.ZERO, 1L << 20);
    }

    /** Whether this replica writes checkpoints. */
    public boolean enabled() {
        return !checkpointInterval.isZero();
    }
}
