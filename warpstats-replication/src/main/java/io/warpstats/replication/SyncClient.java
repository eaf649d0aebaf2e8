package io.warpstats.replication;

import io.warpstats.crdt.BlockFetcher;
import io.warpstats.crdt.ReplicationPort;
import io.warpstats.crdt.RejectedBlockException;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.PeerId;

/**
 * A {@link BlockFetcher} over {@value SyncServer#PROTOCOL}: give it to the engine's builder, then
 * {@link #attach} the built engine.
 *
 * <p>Peers are asked in this order: those that announced the wanted head (best sync score first,
 * then first announcer first, see {@link #hint}), then the other connected peers that speak the
 * protocol, best score first, skipping peers whose sync score fell to
 * {@link SyncParams#banThreshold()} (a score recovers, {@link SyncParams#scoreRecovery()}; timeouts
 * alone never reach the threshold, {@link PeerScores}); at most {@link SyncParams#maxPeersPerFetch()}
 * of them. A branch is fetched over one stream in rounds: each round is one BRANCH request and its
 * answer; a TRUNCATED answer is continued on the same stream (at most {@link SyncParams#maxRounds()}).
 *
 * <p>Guarantees: every block handed to the sink hashes to a CID the client expected at that point (a
 * requested head, or a link of a block received earlier in the same fetch), so blocks reach the sink
 * in dependency order; a block that does not is dropped, its sender penalized
 * ({@link PeerPenalty.Offense#WRONG_BLOCK}) and the fetch continued with the next peer; a block the
 * engine rejects penalizes its sender ({@link PeerPenalty.Offense#REJECTED_BLOCK}). Each round is
 * bounded by {@link SyncParams#requestTimeout()}; at most {@link SyncParams#maxStreamsPerPeer()}
 * requests run at once against one peer (others wait). The sink runs on the client's worker thread,
 * never on a network thread.
 */
public interface SyncClient extends BlockFetcher, AutoCloseable {

    /** A client on {@code host}; {@code penalty} is told of every misbehaving server. */
    static SyncClient create(Host host, SyncParams params, PeerPenalty penalty) {
        return new SyncClientImpl(host, params, penalty);
    }

    /**
     * The replica this client fetches for: its blocks are not fetched again, and its heads and their
     * ancestors are sent as "have" so answers stop where the branch meets local history.
     */
    void attach(ReplicationPort crdt);

    /** Remembers that {@code peer} announced (or holds) {@code head}: it is asked first for it. Bounded. */
    void hint(Cid head, PeerId peer);

    /**
     * Charges a block the engine rejected to the peer that supplied it
     * ({@link PeerPenalty.Offense#REJECTED_BLOCK}): wire it to the engine's {@code onRejected}, which
     * also reports the rejections of the parallel verify stage (found after the sink returned, so
     * the fetch cannot see them). The supplier of each of the last 4,096 blocks handed over is
     * remembered; a block is
     * charged once, whether this or the sink's exception reports it first. Unknown CIDs: nothing.
     */
    void rejected(RejectedBlockException rejection);

    /** The current sync score of {@code peer} (0: clean; offenses subtract their points). */
    int score(PeerId peer);

    /** Counters since creation. */
    SyncMetrics metrics();

    /** Fails pending fetches and stops the worker thread. */
    @Override
    void close();
}
