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

    /**
     * What a peer did wrong, with the points it costs in the sync score (see {@link SyncParams#banThreshold()}) and
     * whether it can bring a score to the ban threshold.
     */
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
        /**
         * No answer in time, or the stream broke mid-answer. Cannot ban: an overloaded honest peer (or an
         * overloaded asker) is slow, not hostile; its score falls at most to half the ban threshold
         * ({@link PeerScores#slowFloor()}), so it is asked after cleaner peers.
         */
        TIMEOUT(5, false);

        /** The points subtracted from the peer's sync score. */
        public final int points;
        /** Whether the offense can bring a score to the ban threshold ({@link PeerScores#penalize(PeerId, int, boolean)}). */
        public final boolean mayBan;

        Offense(int points) { this(points, true); }

        Offense(int points, boolean mayBan) {
            this.points = points;
            this.mayBan = mayBan;
        }
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
