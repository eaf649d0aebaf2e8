package io.warpstats.replication;

import io.warpstats.multiformats.DagPb;
import io.warpstats.p2p.limit.Rate;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timeouts of the block sync protocol; {@link #defaults()} gives the production values
 * (documented with their rationale in docs/replication.md). Both sides enforce the limits on what they
 * receive; a peer that exceeds them gets its stream closed and a penalty.
 *
 * @param maxFrameBytes          largest frame (after decompression) either side accepts; at least one
 *                               maximal block (DagPb.MAX_BLOCK_SIZE) plus framing
 * @param maxRequestBytes        largest request frame the server accepts
 * @param maxCidsPerRequest      CIDs in a GET, or heads in a BRANCH
 * @param maxHave                "have" CIDs the server remembers per stream (the sum over its requests)
 * @param blockBudget            most blocks in one answer (a BRANCH asks for at most this many)
 * @param maxAnswerBytes         most block bytes in one answer; the answer is truncated beyond it
 * @param batchBytes             block bytes per BLOCKS frame (a larger single block gets its own frame)
 * @param compressMinBytes       a BLOCKS frame of at least this many bytes is zstd-compressed if that
 *                               makes it smaller; negative: never compress
 * @param compressionLevel       zstd level of the block stream
 * @param maxWalkSteps           blocks the server reads for one answer (sent ones and the walk below
 *                               the asker's "have" blocks); bounds its work per request
 * @param maxStreamsPerPeer      sync streams one peer may have open to the server at once; the
 *                               client opens at most this many to one peer (further requests wait, and
 *                               a slot is freed only when the stream is gone on both sides, as the
 *                               server counts it); a server answers a stream beyond it BUSY without
 *                               penalty, and resets and penalizes only beyond twice the limit
 * @param maxConcurrentAnswers   answers the server prepares at once over all peers (BUSY beyond)
 * @param requestTimeout         the longest the client waits on the server during a request: counted from the request,
 *                               the last frame that arrived, or the end of the client's own work on the answer, whichever
 *                               is latest, and at most six of these in all per request (a server that trickles its
 *                               answer); then it resets the stream, charges {@link PeerPenalty.Offense#TIMEOUT} (which
 *                               cannot ban) and asks the next peer
 * @param streamIdleTimeout      the server closes a stream that sends no request for this long
 * @param maxRounds              requests (round trips) of one branch fetch with one peer
 * @param maxPeersPerFetch       peers asked in turn before a fetch fails (the engine retries later)
 * @param knownPerRequest        ancestors of its heads the client adds to "have" (breadth-first)
 * @param maxHints               remembered (head → announcing peers) entries
 * @param banThreshold           a peer whose sync score falls to this value is not asked again
 *                               (and the {@link PeerPenalty} is told) until {@code banDuration} passes;
 *                               offenses that cannot ban ({@link PeerPenalty.Offense#TIMEOUT}) take a score
 *                               at most to half of it ({@link PeerScores#slowFloor()}): slow is not hostile
 * @param banDuration            how long a peer under the threshold is avoided; then it is asked again
 *                               and its score starts from 0 at its next offense (bans always expire)
 * @param scoreRecovery          a sync score below 0, not banned, regains one point per this duration (as
 *                               gossipsub's scores decay): offenses spread over time do not add up to a ban,
 *                               offenses in quick succession do (a forger's two blocks, a flood's ten refused
 *                               requests); zero: scores never recover (only a ban's end forgives)
 * @param maxScoredPeers         peers whose sync score the client remembers (every peer id the network
 *                               shows is hostile input); beyond it expired bans, then the peers not banned
 *                               penalized longest ago are forgotten (a forgotten peer has a clean score), and
 *                               a banned peer only when every remembered peer is banned (then the ban ending
 *                               first); the same bound as the node's connection gate, and the bound on peers
 *                               whose rate limits below are remembered
 * @param requestRate            sync requests one peer may make (per second, burst); beyond it the server answers
 *                               BUSY and charges {@link PeerPenalty.Offense#RATE_LIMITED} at most once a second
 * @param answerBytesRate        block bytes the server answers one peer (per second, burst); a peer in debt
 *                               (a large answer is sent whole, then paid for) is answered BUSY without penalty
 * @param announceRate           announcements one author may have accepted (per second, burst); beyond it they
 *                               are ignored (not delivered, not forwarded), and a direct sender is charged
 *                               {@link PeerPenalty.Offense#RATE_LIMITED} at most once a second
 * @param hardLimitFactor        beyond this multiple of {@code requestRate} or {@code announceRate} a peer is
 *                               abusive: its request is REFUSED and its stream closed, its announcement
 *                               REJECTed (the gossipsub P4 penalty), and it is charged
 *                               {@link PeerPenalty.Offense#FLOOD} each time (at most ten times a second)
 */
public record SyncParams(int maxFrameBytes, int maxRequestBytes, int maxCidsPerRequest, int maxHave, int blockBudget,
                         int maxAnswerBytes, int batchBytes, int compressMinBytes, int compressionLevel, int maxWalkSteps,
                         int maxStreamsPerPeer, int maxConcurrentAnswers, Duration requestTimeout,
                         Duration streamIdleTimeout, int maxRounds, int maxPeersPerFetch, int knownPerRequest,
                         int maxHints, int banThreshold, Duration banDuration, Duration scoreRecovery, int maxScoredPeers, Rate requestRate,
                         Rate answerBytesRate, Rate announceRate, double hardLimitFactor) {

    public SyncParams {
        if (maxFrameBytes < DagPb.MAX_BLOCK_SIZE + 1024) throw new IllegalArgumentException("maxFrameBytes below one maximal block");
        if (maxRequestBytes < 1024 || maxCidsPerRequest < 1 || maxHave < 1 || blockBudget < 1 || maxAnswerBytes < 1
                || batchBytes < 1024 || maxWalkSteps < blockBudget || maxStreamsPerPeer < 1 || maxConcurrentAnswers < 1
                || maxRounds < 1 || maxPeersPerFetch < 1 || knownPerRequest < 0 || maxHints < 1 || banThreshold >= 0
                || maxScoredPeers < 1) {
            throw new IllegalArgumentException("invalid sync limits");
        }
        Objects.requireNonNull(requestRate, "requestRate");
        Objects.requireNonNull(answerBytesRate, "answerBytesRate");
        Objects.requireNonNull(announceRate, "announceRate");
        if (!(hardLimitFactor >= 1) || Double.isInfinite(hardLimitFactor)) throw new IllegalArgumentException("hardLimitFactor must be >= 1");
        if (requestTimeout.isZero() || requestTimeout.isNegative() || streamIdleTimeout.isZero()
                || streamIdleTimeout.isNegative() || banDuration.isNegative() || scoreRecovery.isNegative()) {
            throw new IllegalArgumentException("invalid sync timeout");
        }
    }

    /** Sync requests per peer: 200 per second, bursts of 1,000 (an honest catch-up stays far below). */
    public static final Rate DEFAULT_REQUEST_RATE = Rate.of(200, 1000);
    /** Answered block bytes per peer: 64 MiB per second, bursts of 256 MiB. */
    public static final Rate DEFAULT_ANSWER_BYTES_RATE = Rate.of(64 << 20, 256 << 20);
    /** Announcements per author: 50 per second, bursts of 200 (an honest node publishes at most 20 per second plus its answers to new subscribers). */
    public static final Rate DEFAULT_ANNOUNCE_RATE = Rate.of(50, 200);

    /**
     * A score regains a point per 10 s (6 a minute): a peer timing out once a minute, or brushing a rate limit now
     * and then, stays near 0; a rate limit exceeded every second (1 point a second) is still banned, after about
     * 111 s instead of 100.
     */
    public static final Duration DEFAULT_SCORE_RECOVERY = Duration.ofSeconds(10);

    /** The defaults of docs/replication.md. */
    public static SyncParams defaults() {
        return new SyncParams(4 << 20, 64 << 10, 1024, 4096, 2000, 4 << 20, 128 << 10, 1024, 3, 10_000, 4, 32,
                Duration.ofSeconds(10), Duration.ofSeconds(30), 64, 3, 32, 100_000, -100, Duration.ofMinutes(10), DEFAULT_SCORE_RECOVERY, 10_000,
                DEFAULT_REQUEST_RATE, DEFAULT_ANSWER_BYTES_RATE, DEFAULT_ANNOUNCE_RATE, 4);
    }

    /** These params with another block budget per answer (and a walk-step bound at least as large). */
    public SyncParams withBlockBudget(int v) {
        return toBuilder().blockBudget(v).maxWalkSteps(Math.max(maxWalkSteps, v)).build();
    }

    /** These params with another compression threshold (negative: never compress). */
    public SyncParams withCompressMinBytes(int v) {
        return toBuilder().compressMinBytes(v).build();
    }

    /** These params with another request timeout. */
    public SyncParams withRequestTimeout(Duration v) {
        return toBuilder().requestTimeout(v).build();
    }

    /** These params with another stream idle timeout. */
    public SyncParams withStreamIdleTimeout(Duration v) {
        return toBuilder().streamIdleTimeout(v).build();
    }

    /** These params with another ban duration. */
    public SyncParams withBanDuration(Duration v) {
        return toBuilder().banDuration(v).build();
    }

    /** These params with another score recovery (zero: none). */
    public SyncParams withScoreRecovery(Duration v) {
        return toBuilder().scoreRecovery(v).build();
    }

    /** A builder that starts from these values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Mutable, not thread-safe; {@link #build()} validates as the canonical constructor does. */
    public static final class Builder {
        private int maxFrameBytes;
        private int maxRequestBytes;
        private int maxCidsPerRequest;
        private int maxHave;
        private int blockBudget;
        private int maxAnswerBytes;
        private int batchBytes;
        private int compressMinBytes;
        private int compressionLevel;
        private int maxWalkSteps;
        private int maxStreamsPerPeer;
        private int maxConcurrentAnswers;
        private Duration requestTimeout;
        private Duration streamIdleTimeout;
        private int maxRounds;
        private int maxPeersPerFetch;
        private int knownPerRequest;
        private int maxHints;
        private int banThreshold;
        private Duration banDuration;
        private Duration scoreRecovery;
        private int maxScoredPeers;
        private Rate requestRate;
        private Rate answerBytesRate;
        private Rate announceRate;
        private double hardLimitFactor;

        private Builder(SyncParams from) {
            maxFrameBytes = from.maxFrameBytes;
            maxRequestBytes = from.maxRequestBytes;
            maxCidsPerRequest = from.maxCidsPerRequest;
            maxHave = from.maxHave;
            blockBudget = from.blockBudget;
            maxAnswerBytes = from.maxAnswerBytes;
            batchBytes = from.batchBytes;
            compressMinBytes = from.compressMinBytes;
            compressionLevel = from.compressionLevel;
            maxWalkSteps = from.maxWalkSteps;
            maxStreamsPerPeer = from.maxStreamsPerPeer;
            maxConcurrentAnswers = from.maxConcurrentAnswers;
            requestTimeout = from.requestTimeout;
            streamIdleTimeout = from.streamIdleTimeout;
            maxRounds = from.maxRounds;
            maxPeersPerFetch = from.maxPeersPerFetch;
            knownPerRequest = from.knownPerRequest;
            maxHints = from.maxHints;
            banThreshold = from.banThreshold;
            banDuration = from.banDuration;
            scoreRecovery = from.scoreRecovery;
            maxScoredPeers = from.maxScoredPeers;
            requestRate = from.requestRate;
            answerBytesRate = from.answerBytesRate;
            announceRate = from.announceRate;
            hardLimitFactor = from.hardLimitFactor;
        }

        public Builder maxFrameBytes(int v) {
            maxFrameBytes = v;
            return this;
        }

        public Builder maxRequestBytes(int v) {
            maxRequestBytes = v;
            return this;
        }

        public Builder maxCidsPerRequest(int v) {
            maxCidsPerRequest = v;
            return this;
        }

        public Builder maxHave(int v) {
            maxHave = v;
            return this;
        }

        public Builder blockBudget(int v) {
            blockBudget = v;
            return this;
        }

        public Builder maxAnswerBytes(int v) {
            maxAnswerBytes = v;
            return this;
        }

        public Builder batchBytes(int v) {
            batchBytes = v;
            return this;
        }

        public Builder compressMinBytes(int v) {
            compressMinBytes = v;
            return this;
        }

        public Builder compressionLevel(int v) {
            compressionLevel = v;
            return this;
        }

        public Builder maxWalkSteps(int v) {
            maxWalkSteps = v;
            return this;
        }

        public Builder maxStreamsPerPeer(int v) {
            maxStreamsPerPeer = v;
            return this;
        }

        public Builder maxConcurrentAnswers(int v) {
            maxConcurrentAnswers = v;
            return this;
        }

        public Builder requestTimeout(Duration v) {
            requestTimeout = v;
            return this;
        }

        public Builder streamIdleTimeout(Duration v) {
            streamIdleTimeout = v;
            return this;
        }

        public Builder maxRounds(int v) {
            maxRounds = v;
            return this;
        }

        public Builder maxPeersPerFetch(int v) {
            maxPeersPerFetch = v;
            return this;
        }

        public Builder knownPerRequest(int v) {
            knownPerRequest = v;
            return this;
        }

        public Builder maxHints(int v) {
            maxHints = v;
            return this;
        }

        public Builder banThreshold(int v) {
            banThreshold = v;
            return this;
        }

        public Builder banDuration(Duration v) {
            banDuration = v;
            return this;
        }

        public Builder scoreRecovery(Duration v) {
            scoreRecovery = v;
            return this;
        }

        public Builder maxScoredPeers(int v) {
            maxScoredPeers = v;
            return this;
        }

        public Builder requestRate(Rate v) {
            requestRate = v;
            return this;
        }

        public Builder answerBytesRate(Rate v) {
            answerBytesRate = v;
            return this;
        }

        public Builder announceRate(Rate v) {
            announceRate = v;
            return this;
        }

        public Builder hardLimitFactor(double v) {
            hardLimitFactor = v;
            return this;
        }

        public SyncParams build() {
            return new SyncParams(maxFrameBytes, maxRequestBytes, maxCidsPerRequest, maxHave, blockBudget,
                    maxAnswerBytes, batchBytes, compressMinBytes, compressionLevel, maxWalkSteps, maxStreamsPerPeer,
                    maxConcurrentAnswers, requestTimeout, streamIdleTimeout, maxRounds, maxPeersPerFetch,
                    knownPerRequest, maxHints, banThreshold, banDuration, scoreRecovery, maxScoredPeers, requestRate, answerBytesRate,
                    announceRate, hardLimitFactor);
        }
    }
}
