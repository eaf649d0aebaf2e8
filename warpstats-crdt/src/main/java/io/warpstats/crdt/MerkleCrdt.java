package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.DagPb;
import java.util.ArrayList;
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
 *       {@link ChangeListener} are one atomic store write.</li>
 *   <li>Merging is idempotent, commutative and associative.</li>
 * </ul>
 * Thread-safe.
 */
public interface MerkleCrdt extends AutoCloseable {

    /** A builder of a replica over {@code store} (see {@link MerkleCrdtBuilder}). */
    static MerkleCrdtBuilder builder(io.warpstats.crdt.store.KvStore store) {
        return new MerkleCrdtBuilder(store);
    }

    /** The DAG this replica writes to (the {@code dagName} of its deltas). */
    String dagName();

    /** Adds an element for {@code key} to the pending delta. */
    void put(String key, byte[] value);

    /** Tombstones every element of {@code key} seen so far (in the pending delta). */
    void delete(String key);

    /** The winning live value of {@code key}, if any. */
    Optional<byte[]> get(String key);

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

    /** The current heads. */
    List<Head> heads();

    /**
     * Handles a CRDTBroadcast received from the network: unknown heads are fetched through the
     * {@link BlockFetcher} and merged. Malformed input throws {@link IllegalArgumentException}.
     */
    void onBroadcast(byte[] crdtBroadcast);

    /** Handles one head learned some other way (for example from a sync peer). */
    void onHead(Cid head);

    /**
     * Registers a listener for changes of visible values (local and merged) from now on. A listener
     * that must see every merge (a materialized aggregate) goes to {@link MerkleCrdtBuilder#listener}:
     * the replica resumes interrupted walks while it is built.
     */
    void addListener(ChangeListener listener);

    /** The stored bytes of a processed block (to serve other replicas' fetches), if held. */
    default Optional<byte[]> block(Cid cid) {
        return Optional.empty();
    }

    /**
     * Whether this replica holds the processed block {@code cid} (what {@link #block} would find),
     * without copying the block: sync clients ask it for every head and continuation they may skip.
     */
    default boolean hasBlock(Cid cid) {
        return block(cid).isPresent();
    }

    /**
     * The links of the processed block {@code cid}, if held, without handing the block's bytes out
     * (a sync client's "have" walks the ancestors of the heads; blocks under load are ~100 KB each).
     */
    default Optional<List<Cid>> links(Cid cid) {
        return block(cid).map(b -> {
            List<Cid> r = new ArrayList<>();
            for (DagPb.Link l : DagPb.decode(b).links()) r.add(l.hash());
            return r;
        });
    }

    /** Announces the heads now and retries failed fetches (the periodic task does the same). */
    default void rebroadcast() {}

    /**
     * Completes when no fetch is running or queued and everything merged is durable and visible
     * (failed fetches wait for the next rebroadcast).
     */
    default CompletableFuture<Void> whenIdle() {
        return CompletableFuture.completedFuture(null);
    }

    /** Counters of this replica. */
    default CrdtMetrics metrics() {
        return new CrdtMetrics(0, 0, 0, 0, 0, 0, 0, heads().size());
    }

    /** Closes the replica: flushes, stops background work; the store is not closed. */
    @Override
    void close();
}
