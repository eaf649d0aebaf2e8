package io.warpstats.replication;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.limit.Rate;
import io.warpstats.p2p.limit.RateLimiter;
import io.warpstats.replication.PeerPenalty.Offense;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rate limits of {@link SyncParams} for one kind of peer input (sync requests, or announcements), with
 * their penalties. Each peer has a soft budget (the rate) and a hard one ({@link SyncParams#hardLimitFactor()}
 * times it); an input takes a token from both.
 * <ul>
 *   <li>within the soft budget: {@link Verdict#ALLOW};
 *   <li>over it, within the hard one: {@link Verdict#SLOW} — the input is not served (BUSY, IGNORE) and the peer
 *       is charged {@link Offense#RATE_LIMITED} (1 point) at most once a second, so reaching the ban threshold
 *       (−100 by default) takes about 100 seconds of sustained excess; an honest burst that brushes the limit
 *       costs a point or two and is only slowed;
 *   <li>over the hard budget: {@link Verdict#REFUSE} — the input is refused as abusive (REFUSED and the stream
 *       closed, REJECT) and charged {@link Offense#FLOOD} (10 points) each time, up to ten times a second (a
 *       flood of messages is not a flood of reports): a flood is banned within ten refusals.
 * </ul>
 * The hard budget refills faster, so a peer that only exceeds the soft rate is never refused. Budgets are
 * kept for at most {@link SyncParams#maxScoredPeers()} peers. Thread-safe.
 */
final class PeerLimits {
    private static final Logger log = LoggerFactory.getLogger(PeerLimits.class);
    private static final Rate PENALTY_PACE = Rate.of(1, 1);
    /** FLOOD charges per peer: a ban (ten of them) within a second, without a report for every message of a flood. */
    private static final Rate FLOOD_PACE = Rate.of(10, 10);

    /** What to do with one input of a peer. */
    enum Verdict { ALLOW, SLOW, REFUSE }

    private final String what;
    private final RateLimiter<PeerId> soft;
    private final RateLimiter<PeerId> hard;
    private final RateLimiter<PeerId> pace;
    private final RateLimiter<PeerId> floodPace;
    private final PeerPenalty penalty;
    private final LongAdder slowed = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /**
     * @param what      what is limited, for the penalty's detail ("sync requests", "announcements")
     * @param rate      the soft rate per peer ({@link Rate#OFF}: no limit)
     * @param params    the hard factor and the bound on remembered peers
     * @param penalty   told of the offenses
     * @param nanoClock a monotonic clock
     */
    PeerLimits(String what, Rate rate, SyncParams params, PeerPenalty penalty, LongSupplier nanoClock) {
        this.what = what;
        this.soft = new RateLimiter<>(rate, params.maxScoredPeers(), nanoClock);
        this.hard = new RateLimiter<>(rate.times(params.hardLimitFactor()), params.maxScoredPeers(), nanoClock);
        this.pace = new RateLimiter<>(rate.off() ? Rate.OFF : PENALTY_PACE, params.maxScoredPeers(), nanoClock);
        this.floodPace = new RateLimiter<>(rate.off() ? Rate.OFF : FLOOD_PACE, params.maxScoredPeers(), nanoClock);
        this.penalty = penalty;
    }

    /**
     * Takes one input of {@code peer} and says what to do with it; charges the penalty of a SLOW or REFUSE to
     * {@code peer} unless {@code chargeable} is false (an announcement relayed by another peer: its author is
     * limited, but the relay did nothing wrong and the author may be out of reach).
     */
    Verdict take(PeerId peer, boolean chargeable) {
        if (hard.acquire(peer) > 0) {
            refused.increment();
            if (chargeable && floodPace.acquire(peer) == 0) charge(peer, Offense.FLOOD, "more than " + hard.rate() + " " + what);
            return Verdict.REFUSE;
        }
        if (soft.acquire(peer) > 0) {
            slowed.increment();
            if (chargeable && pace.acquire(peer) == 0) charge(peer, Offense.RATE_LIMITED, "more than " + soft.rate() + " " + what);
            return Verdict.SLOW;
        }
        return Verdict.ALLOW;
    }

    private void charge(PeerId peer, Offense o, String detail) {
        try {
            penalty.penalize(peer, o, detail);
        } catch (RuntimeException e) {
            log.warn("PeerPenalty failed", e);
        }
    }

    /** Inputs answered SLOW since start. */
    long slowed() {
        return slowed.sum();
    }

    /** Inputs answered REFUSE since start. */
    long refused() {
        return refused.sum();
    }
}
