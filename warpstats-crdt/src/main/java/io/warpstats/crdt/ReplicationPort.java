package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The network side of a replica ({@link MerkleCrdt#replication()}): what the head announcer and the block
 * sync call. Kept apart from {@link MerkleCrdt}, the application's API, so that an application never
 * sees network plumbing and the replication layer never writes values. Thread-safe; every method
 * returns quickly (fetches and merges run on the engine's threads).
 */
public interface ReplicationPort {

    /** The DAG this replica writes to. */
    String dagName();

    /**
     * An announcement received from the network, parsed once by the receiver: unknown heads are
     * fetched through the {@link BlockFetcher} and merged; small blocks pushed along with their head are
     * merged at once if everything they link to is held (they are hashed against the CIDs first).
     */
    void onBroadcast(CrdtBroadcast announcement);

    /** One head learned some other way (a sync peer, an operator). */
    void onHead(Cid head);

    /** The stored bytes of a processed block (to serve other replicas' fetches), if held. */
    Optional<byte[]> block(Cid cid);

    /** Whether the processed block {@code cid} is held, without copying it. */
    boolean hasBlock(Cid cid);

    /** The links of the processed block {@code cid}, if held, without handing out its bytes. */
    Optional<List<Cid>> links(Cid cid);

    /** The current heads of this replica's DAG. */
    List<Head> heads();

    /** Announces the heads now and retries failed fetches (the periodic task does the same). */
    void rebroadcast();

    /**
     * Completes when no fetch is running or queued and everything merged is durable and visible
     * (failed fetches wait for the next {@link #rebroadcast}).
     */
    CompletableFuture<Void> whenIdle();

    /**
     * A peer reports that it compacted block {@code cid} away (docs/crdt.md, "Compaction"): if it is in the
     * walk frontier here, the walk lets it go (its live content is restated by a checkpoint above it).
     */
    void onPruned(Cid cid);

    /**
     * Whether {@code cid} is in this replica's committed walk frontier: known, not processed yet (a sync server tells
     * "still fetching it" from "compacted away"). Lock-free: true for every block a committed block links to that is
     * not committed itself; a block merged but not committed yet may still count as pending.
     */
    boolean isPending(Cid cid);

    /** Whether this replica deleted block {@code cid} lately because a checkpoint covers it (the last 65,536 such blocks). */
    boolean recentlyCompacted(Cid cid);
}
