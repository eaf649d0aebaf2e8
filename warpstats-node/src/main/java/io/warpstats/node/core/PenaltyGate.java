package io.warpstats.node.core;

import io.warpstats.p2p.Connection;
import io.warpstats.p2p.ConnectionGate;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.replication.PeerPenalty;
import io.warpstats.replication.PeerScores;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's answer to sync misbehaviour (forged or wrong blocks, malformed frames, stream floods,
 * {@link PeerPenalty.Offense}): the offense's points are subtracted from the peer's score (not
 * for {@code TIMEOUT}: an overloaded honest peer is slow, not hostile, and the sync client already
 * asks it after cleaner peers), and a peer whose score falls to {@code banThreshold} is banned for {@code banDuration} —
 * its connection is closed and the host's {@link ConnectionGate} refuses it, inbound and outbound,
 * until the ban ends (then it starts again with a clean score). A score below 0 that is not banned
 * regains one point per {@code scoreRecovery} ({@link io.warpstats.replication.SyncParams#scoreRecovery},
 * as the sync client's own scores): offenses spread over days do not add up to a ban, offenses in quick
 * succession (a forger's two blocks) do. Banning, not only logging, matters: the sync client avoids a
 * peer for its own fetches, but without the gate the peer stays connected, keeps serving pubsub and
 * can keep asking our sync server.
 *
 * <p>The scores and bans are a {@link PeerScores} (the same bounded mechanism the sync client
 * uses): past {@code maxPeers} it forgets ended bans first, then the peer penalized longest ago
 * that is not banned, so a flood of new identities cannot lift a ban. Thread-safe.
 */
final class PenaltyGate implements ConnectionGate, PeerPenalty {
    private static final Logger log = LoggerFactory.getLogger(PenaltyGate.class);

    private final Host host;
    private final PeerScores scores;
    private final int banThreshold;
    private final long banSeconds;
    private final java.util.Map<Offense, java.util.concurrent.atomic.LongAdder> reports = new java.util.EnumMap<>(Offense.class);
    private final java.util.concurrent.atomic.LongAdder bans = new java.util.concurrent.atomic.LongAdder();

    PenaltyGate(Host host, int banThreshold, Duration banDuration, Duration scoreRecovery, int maxPeers, LongSupplier nanoTime) {
        if (banThreshold >= 0) throw new IllegalArgumentException("banThreshold must be negative");
        this.host = host;
        this.banThreshold = banThreshold;
        this.scores = new PeerScores(maxPeers, banThreshold, banDuration.toNanos(), scoreRecovery.toNanos(), nanoTime);
        this.banSeconds = banDuration.toSeconds();
        for (Offense o : Offense.values()) reports.put(o, new java.util.concurrent.atomic.LongAdder());
    }

    @Override
    public void penalize(@Nullable PeerId peer, Offense offense, String detail) {
        log.warn("sync peer {} misbehaved ({}): {}", peer, offense, detail);
        reports.get(offense).increment();
        if (peer == null || offense == Offense.TIMEOUT) return; // slow is not hostile: an overloaded honest peer must not be cut off
        if (!scores.penalize(peer, offense.points)) return;
        bans.increment();
        log.warn("banning peer {} for {} s (sync score reached {})", peer, banSeconds, banThreshold);
        for (Connection c : host.connections()) { // every connection (simultaneous dials can leave two)
            if (peer.equals(c.remotePeer())) c.close();
        }
    }

    @Override
    public boolean allow(@Nullable PeerId peer, Multiaddr remote, boolean inbound) {
        return peer == null || scores.admits(peer); // before the handshake (null): judged after it
    }

    /** Whether {@code peer} is banned now. */
    boolean isBanned(PeerId peer) {
        return !scores.admits(peer);
    }

    /** The peer's score now: 0 if clean, unknown or forgiven; at most {@code banThreshold} while banned. */
    int score(PeerId peer) {
        return scores.score(peer);
    }

    /** Offenses reported since start, {@code TIMEOUT} included (it is counted, not scored). */
    long reports(Offense offense) {
        return reports.get(offense).sum();
    }

    /** Bans since start (a peer banned again after its ban ended counts again). */
    long bans() {
        return bans.sum();
    }

    /** Peers remembered now (at most {@code maxPeers}). */
    int size() {
        return scores.size();
    }
}
