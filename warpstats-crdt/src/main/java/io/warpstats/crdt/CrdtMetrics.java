package io.warpstats.crdt;

/**
 * A snapshot of a replica's counters (monotonic since open unless said otherwise).
 *
 * @param puts            put and delete calls accepted
 * @param localBlocks     blocks written by this replica (flushes that had changes)
 * @param mergedBlocks    remote blocks merged
 * @param rejectedBlocks  remote blocks rejected (malformed, bad signature, unauthorized)
 * @param fetchFailures   fetches that failed (retried later)
 * @param pendingBlocks   blocks announced or linked but not yet processed (current value; the larger of the durable
 *                        walk frontier and the fetches queued, running or waiting for a retry: zero iff no walk is open)
 * @param fetchesInFlight branch fetches running (current value)
 * @param heads           heads of this replica's DAG (current value)
 * @param blocksHeld      processed blocks in the store (current value, exact: counted in the writes that store them)
 * @param syncLagMillis   the age of the oldest block heard of (announced, or linked by a merged block) and not merged
 *                        yet, in milliseconds; 0 when nothing is pending (current value)
 * @param rejectedByReason {@code rejectedBlocks} by reason (every reason present)
 * @param checkpoints     checkpoints this replica wrote of its own writes (docs/crdt.md, "Compaction")
 * @param reapedBlocks    blocks deleted because their author's checkpoint covers them
 * @param prunedLinks     links the walk let go because a peer reported their block compacted away
 * @param storeCompactions background compactions of the store's files completed (docs/crdt.md, "The store's files")
 */
public record CrdtMetrics(long puts, long localBlocks, long mergedBlocks, long rejectedBlocks, long fetchFailures,
                          int pendingBlocks, int fetchesInFlight, int heads, long blocksHeld, long syncLagMillis,
                          java.util.Map<RejectedBlockException.Reason, Long> rejectedByReason,
                          long checkpoints, long reapedBlocks, long prunedLinks, long storeCompactions) {
    public CrdtMetrics {
        rejectedByReason = java.util.Map.copyOf(rejectedByReason);
    }

    /** Without store compactions (0). */
    public CrdtMetrics(long puts, long localBlocks, long mergedBlocks, long rejectedBlocks, long fetchFailures, int pendingBlocks,
                       int fetchesInFlight, int heads, long blocksHeld, long syncLagMillis,
                       java.util.Map<RejectedBlockException.Reason, Long> rejectedByReason, long checkpoints, long reapedBlocks,
                       long prunedLinks) {
        this(puts, localBlocks, mergedBlocks, rejectedBlocks, fetchFailures, pendingBlocks, fetchesInFlight, heads, blocksHeld,
                syncLagMillis, rejectedByReason, checkpoints, reapedBlocks, prunedLinks, 0);
    }
}
