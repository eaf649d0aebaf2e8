package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A replica of a Merkle-CRDT key/value store (the design of ipfs/go-ds-crdt, wire-compatible
 * with it): add-wins observed-remove semantics with priorities; every change is a delta in a
 * dag-pb block linking to the replica's heads.
 *
 * <p>Guarantees (implementations must keep them):
 * <ul>
 *   <li>{@link #put}/{@link #delete} are coalesced into the pending delta and become durable
 *       and visible to other replicas when the pending delta is flushed (by size, after the
 *       configured delay, or by {@link #flush}). Local reads see a write at once.</li>
 *   <li>Applying a delta, marking its block processed, updating heads and the writes of every
 *       {@link MaterializedView} are one atomic store write.</li>
 *   <li>Merging is idempotent, commutative and associative.</li>
 * </ul>
 * Thread-safe.
 */
public interface MerkleCrdt extends AutoCloseable {

    /** A builder of a replica over {@code store} (see {@link MerkleCrdtBuilder}). */
    static MerkleCrdtBuilder builder(KvStore store) {
        return new MerkleCrdtBuilder(store);
    }

    /** The DAG this replica writes to (the {@code dagName} of its deltas). */
    String dagName();

    /** Adds an element for {@code key} to the pending delta. */
    void put(String key, byte[] value);

    /** Tombstones every element of {@code key} seen so far (in the pending delta). */
    void delete(String key);

    /** The winning live value of {@code key}, if any (this replica's pending writes included). */
    Optional<byte[]> get(String key);

    /**
     * The winning live value of {@code key} as of the last durable write, without this replica's
     * pending (unflushed) writes: what the {@linkplain MaterializedView views} have seen. A reader that
     * combines a view's rows with pending writes compares the two.
     */
    Optional<byte[]> getDurable(String key);

    /** Visits every live key under {@code prefix} in key order with its winning value. */
    void query(String prefix, BiConsumer<String, byte[]> visitor);

    /**
     * Visits, in key order (the unsigned order of the keys' UTF-8 bytes), at most {@code limit} live
     * keys under {@code prefix} that sort after {@code prefix + startAfter} ({@code null}: from the
     * first key), with their winning values: one page of a large prefix. Reads O(limit + pending
     * deletes) stored keys, not the whole prefix, so a page of a set with millions of members costs
     * what a page of a small one does. Pages are not a snapshot: keys added or removed between two
     * calls may or may not appear.
     *
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    void query(String prefix, String startAfter, int limit, BiConsumer<String, byte[]> visitor);

    /** Flushes the pending delta; completes when it is durable and its block is a head. */
    CompletableFuture<Void> flush();

    /**
     * Compacts now (docs/crdt.md, "Compaction"): writes a checkpoint of this replica's own writes (if it
     * writes checkpoints, {@link CompactionOptions}) and deletes every block a merged checkpoint covers.
     * Compaction also runs by itself; this forces it. Completes when both are durable; the checkpoint is
     * announced like any new block.
     */
    CompletableFuture<Void> compact();

    /**
     * Reclaims disk now without writing anything new: finishes the reap of the blocks that merged
     * checkpoints cover, then compacts the store's files if their garbage estimate is due (whatever
     * {@link CompactionOptions#storeCompactionInterval()} says). What a graceful {@link #close()} does within
     * its budget, without the budget: after a burst, a replica's disk follows its live state once this
     * completes (docs/crdt.md, "Compaction"). Blocks merged meanwhile may raise coverage again; they are
     * reaped by the next pass, as always. Completes when both are done; fails if the replica is closed.
     */
    CompletableFuture<Void> tidy();

    /** The current heads. */
    List<Head> heads();

    /**
     * The rows of {@code view}, as committed. The view must have been registered on the builder
     * ({@link MerkleCrdtBuilder#view}); reading it through the replica, not the store, is what keeps a
     * reader and the view's writer on the same store and key layout.
     *
     * @throws IllegalArgumentException if {@code view} was not registered on this replica
     */
    ViewRows view(MaterializedView view);

    /** The network side of this replica: for the replication layer, not the application. */
    ReplicationPort replication();

    /** Counters of this replica. */
    CrdtMetrics metrics();

    /**
     * Closes the replica: flushes, finishes the reap of covered blocks and a due store compaction within
     * {@link CompactionOptions#closeBudget()}, stops background work; the store is not closed.
     */
    @Override
    void close();
}
