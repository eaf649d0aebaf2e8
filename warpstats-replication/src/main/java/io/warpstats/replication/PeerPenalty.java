package io.warpstats.replication;

import io.warpstats.p2p.PeerId;

/**
 * Told of every misbehaviour of a sync peer, so the node can feed its host's connection gate or
 * the gossipsub application score. Called on network threads: must be fast and must not block.
 */
@FunctionalInterface
public interface PeerPenalty {
    /** Ignores every report. */
    PeerPenalty NONE = (peer, offense, detail) -> {};

    /** What a peer did wrong, with the points it costs in the sync score (see {@link SyncParams#banThreshold()}). */
    enum Offense {
        /** A block that does not hash to any CID the asker expected (corrupt, or not asked for). */
        WRONG_BLOCK(50),
        /** A block the CRDT engine rejected (forged signature, unauthorized write, malformed delta). */
        REJECTED_BLOCK(50),
        /** A frame that does not parse, exceeds a limit, or comes out of turn. */
        MALFORMED(50),
        /** More than twice the allowed concurrent streams (a flood; up to twice only earns BUSY answers). */
        TOO_MANY_STREAMS(10),
        /** Over a rate limit of {@link SyncParams} (requests, announcements): charged at most once a second per peer. */
        RATE_LIMITED(1),
        /** Beyond {@link SyncParams#hardLimitFactor()} times a rate limit: charged for every refused request or announcement. */
        FLOOD(10),
        /** No answer in time, or the stream broke mid-answer. */
        TIMEOUT(5);

        /** The points subtracted from the peer's sync score. */
        public final int points;

        Offense(int points) { this.points = points; }
    }

    /** Reports that {@code peer} committed {@code offense}; {@code detail} says what exactly. */
    void penalize(PeerId peer, Offense offense, String detail);

    /** Tells this, then {@code other}. */
    default PeerPenalty andThen(PeerPenalty other) {
        return (peer, offense, detail) -> {
            penalize(peer, offense, detail);
            other.penalize(peer, offense, detail);
        };
    }
}
