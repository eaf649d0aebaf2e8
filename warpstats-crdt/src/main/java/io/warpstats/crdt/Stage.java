package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The open group-commit transaction: ONE store batch ({@link #txn}) holding the writes of one or
 * more applied blocks, plus the changes of the in-memory mirrors (heads, walk frontier, processed
 * CIDs, links, early-tombstone index) that {@link GroupCommit} publishes only once the batch is
 * durable. A value holder with no behaviour of its own beyond {@link #heads}; a crash loses the
 * whole stage and nothing else, because every marker in it is written with the work it stands for.
 *
 * <p>Concurrency: not thread-safe; created, filled, committed and dropped under
 * {@link GroupCommit}'s write lock.
 */
final class Stage {
    /** A frontier change that removes the record (the block is processed or rejected). */
    static final byte[] REMOVED = new byte[0];

    final Txn txn;
    /** dag name → its heads after this stage (a private copy of the committed ones, taken at first use). */
    final Map<String, Map<Cid, Long>> heads = new HashMap<>();
    final Set<Cid> processed = new HashSet<>();
    /** The links of the processed blocks (published to the recent-links cache). */
    final Map<Cid, List<Cid>> links = new HashMap<>();
    /** Frontier changes: the new record, or {@link #REMOVED}. */
    final Map<Cid, byte[]> frontier = new HashMap<>();
    /** Frontier records and heads this stage created (absent from the store): dropped, not deleted, when undone. */
    final Set<Cid> createdPending = new HashSet<>(), createdHeads = new HashSet<>();
    /** T/ index changes: element id → its full new key set (empty: removed). */
    final Map<String, Set<String>> early = new HashMap<>();
    /** Coverage raised by this stage: lineage → height of part 1 of its latest complete checkpoint ({@link Coverage}). */
    final Map<Txn.Key, Long> coverage = new HashMap<>();
    /** Blocks this stage deletes because a checkpoint covers them ({@link Reaper}). */
    final Set<Cid> reaped = new HashSet<>();
    /** Blocks applied into this stage, and how many of them came from other replicas. */
    int blocks, merged;
    private final HeadTracker committedHeads;

    /**
     * @param expectedWrites a size hint for the overlay (the previous stage's writes)
     * @param committedHeads where {@link #heads} copies a DAG's committed heads from
     */
    Stage(KvStore store, ValueCache values, int expectedWrites, HeadTracker committedHeads) {
        this.txn = new Txn(store, values, expectedWrites);
        this.committedHeads = committedHeads;
    }

    /** The staged heads of {@code dag}: a private copy of the committed ones, taken once per stage. */
    Map<Cid, Long> heads(String dag) {
        return heads.computeIfAbsent(dag, d -> new HashMap<>(committedHeads.committed(d)));
    }
}
