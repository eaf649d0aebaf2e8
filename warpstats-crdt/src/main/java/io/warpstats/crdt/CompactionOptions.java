package io.warpstats.crdt;

import java.time.Duration;
import java.util.Objects;

/**
 * When a replica writes checkpoints of its own writes, and when it compacts its store's files (docs/crdt.md,
 * "Compaction"). Merging other replicas' checkpoints and deleting the blocks they cover happens whatever these say;
 * the checkpoint settings only decide whether this replica folds its own history.
 *
 * @param checkpointInterval      a checkpoint at least this often while the replica writes; {@link Duration#ZERO}:
 *                                compaction off — no checkpoints, and local deltas carry no epoch, so they are
 *                                byte for byte go-ds-crdt's and nobody's checkpoint ever covers them
 * @param checkpointMinBytes      a checkpoint once own blocks of at least max(this, the last checkpoint's size)
 *                                bytes were written since the last one
 * @param storeCompactionMinBytes the store's files are compacted in the background once their garbage estimate (growth
 *                                of the compactable bytes since the last store compaction plus the bytes the reaper
 *                                deleted since) reaches max(this, half the compactable bytes the last one left)
 * @param storeCompactionInterval at most one background store compaction per this interval, which is also how often
 *                                the estimate is checked without a reaper pass; {@link Duration#ZERO}: none (the store
 *                                is left to RocksDB's own, size-driven compactions)
 * @param closeBudget             how long a graceful {@link MerkleCrdt#close()} may spend tidying before it closes:
 *                                it finishes the reap of covered blocks and then the store compaction if its estimate is
 *                                due (whatever the interval), so a stopped replica's disk is its live state; past this
 *                                it cancels both (the reap resumes at the next open, the store compaction follows);
 *                                {@link Duration#ZERO}: close at once
 */
public record CompactionOptions(Duration checkpointInterval, long checkpointMinBytes, long storeCompactionMinBytes,
                                Duration storeCompactionInterval, Duration closeBudget) {
    /** {@link #storeCompactionMinBytes} by default: 4 MiB. */
    public static final long STORE_COMPACTION_MIN_BYTES = 4L << 20;
    /** {@link #storeCompactionInterval} by default: one minute. */
    public static final Duration STORE_COMPACTION_INTERVAL = Duration.ofMinutes(1);
    /**
     * {@link #closeBudget} by default: 8 seconds, so that a node's stop stays well within a service manager's stop
     * timeout (the example systemd unit's is 30 s).
     */
    public static final Duration CLOSE_BUDGET = Duration.ofSeconds(8);

    public CompactionOptions {
        Objects.requireNonNull(checkpointInterval, "checkpointInterval");
        Objects.requireNonNull(storeCompactionInterval, "storeCompactionInterval");
        Objects.requireNonNull(closeBudget, "closeBudget");
        if (closeBudget.isNegative()) throw new IllegalArgumentException("closeBudget must be >= 0");
        if (checkpointInterval.isNegative()) throw new IllegalArgumentException("checkpointInterval must be >= 0");
        if (checkpointMinBytes < 1) throw new IllegalArgumentException("checkpointMinBytes must be >= 1");
        if (storeCompactionMinBytes < 1) throw new IllegalArgumentException("storeCompactionMinBytes must be >= 1");
        if (storeCompactionInterval.isNegative()) throw new IllegalArgumentException("storeCompactionInterval must be >= 0");
    }

    /** These checkpoint settings with the default store compaction. */
    public CompactionOptions(Duration checkpointInterval, long checkpointMinBytes) {
        this(checkpointInterval, checkpointMinBytes, STORE_COMPACTION_MIN_BYTES, STORE_COMPACTION_INTERVAL, CLOSE_BUDGET);
    }

    /**
     * Every 10 minutes while writing, or once 1 MiB (or the last checkpoint's size) of own blocks was written; the
     * store compacted at most once a minute, once its garbage estimate reaches max(4 MiB, half its size); a close
     * tidies for at most 8 seconds.
     */
    public static CompactionOptions defaults() {
        return new CompactionOptions(Duration.ofMinutes(10), 1L << 20);
    }

    /** No checkpoints of this replica's own writes (the store compaction stays: others' checkpoints are reaped). */
    public static CompactionOptions disabled() {
        return new CompactionOptions(Duration.ZERO, 1L << 20);
    }

    /** These settings with another checkpoint interval. */
    public CompactionOptions withCheckpointInterval(Duration d) {
        return new CompactionOptions(d, checkpointMinBytes, storeCompactionMinBytes, storeCompactionInterval, closeBudget);
    }

    /** These settings with another store compaction trigger and interval ({@link Duration#ZERO}: none). */
    public CompactionOptions withStoreCompaction(long minBytes, Duration interval) {
        return new CompactionOptions(checkpointInterval, checkpointMinBytes, minBytes, interval, closeBudget);
    }

    /** These settings with another {@link #closeBudget} ({@link Duration#ZERO}: a close cancels the tidying at once). */
    public CompactionOptions withCloseBudget(Duration budget) {
        return new CompactionOptions(checkpointInterval, checkpointMinBytes, storeCompactionMinBytes, storeCompactionInterval, budget);
    }

    /** Whether this replica writes checkpoints. */
    public boolean enabled() {
        return !checkpointInterval.isZero();
    }

    /** Whether the store's files are compacted in the background. */
    public boolean storeCompactionEnabled() {
        return !storeCompactionInterval.isZero();
    }
}
