package io.warpstats.node.core;

import io.warpstats.p2p.Connection;
import io.warpstats.p2p.ConnectionGate;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.sync.PeerPenalty;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's answer to sync misbehaviour (forged or wrong blocks, malformed frames, stream floods,
 * {@link PeerPenalty.Offense}): the offense's points are subtracted from the peer's score (not
 * for {@code TIMEOUT}: an overloaded honest peer is slow, not hostile, and the sync client already
 * avoids it for a while), and a peer whose score falls to {@code banThreshold} is banned for {@code banDuration} —
 * its connection is closed and the host's {@link ConnectionGate} refuses it, inbound and outbound,
 * until the ban ends (then it starts again with a clean score). Before, the node only logged the
 * reports: the sync client avoided the peer for its own fetches, but the peer stayed connected,
 * kept serving pubsub and could keep asking our sync server.
 *
 * <p>Bounded: at most {@code maxPeers} scores are kept. Past the bound the least recently
 * penalized peer that is not banned now is forgotten (a forgotten peer just starts again with a
 * clean score), so that a flood of new identities cannot lift a ban; only when every other
 * remembered peer is banned does the oldest ban go. Thread-safe.
 */
final class PenaltyGate implements ConnectionGate, PeerPenalty {
    private static final Logger log = LoggerFactory.getLogger(PenaltyGate.class);

    private final Host host;
    private final int banThreshold;
    private final long banNanos;
    private final LongSupplier nanoTime;
    private final Map<PeerId, long[]> peers; // {points, bannedUntil (0: not banned)}

    PenaltyGate(Host host, int banThreshold, Duration banDuration, int maxPeers, LongSupplier nanoTime) {
        if (banThreshold >= 0) throw new IllegalArgumentException("banThreshold must be negative");
        this.host = host;
        this.banThreshold = banThreshold;
        this.banNanos = banDuration.toNanos();
        this.nanoTime = nanoTime;
        this.peers = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<PeerId, long[]> eldest) {
                if (size() <= maxPeers) return false;
                for (Iterator<long[]> it = values().iterator(); it.hasNext(); ) { // least recently used first
                    long[] v = it.next();
                    if (!it.hasNext()) break; // the entry being added stays
                    if (!banned(v)) {
                        it.remove(); // allowed here if we then return false (LinkedHashMap's contract)
                        return false;
                    }
                }
                return true; // every other remembered peer is banned: the oldest ban goes
            }
        };
    }

    @Override
    public void penalize(PeerId peer, Offense offense, String detail) {
        log.warn("sync peer {} misbehaved ({}): {}", peer, offense, detail);
        if (peer == null || offense == Offense.TIMEOUT) return; // slow is not hostile: an overloaded honest peer must not be cut off

        boolean ban;
        synchronized (peers) {
            long[] s = peers.computeIfAbsent(peer, p -> new long[2]);
            if (banned(s)) return; // already out
            s[1] = 0;
            s[0] -= offense.points;
            ban = s[0] <= banThreshold;
            if (ban) {
                s[0] = 0; // a clean score when the ban ends
                s[1] = nanoTime.getAsLong() + banNanos;
                if (s[1] == 0) s[1] = 1;
            }
        }
        if (ban) {
            log.warn("banning peer {} for {} s (sync score reached {})", peer, banNanos / 1_000_000_000L, banThreshold);
            for (Connection c : host.connections()) { // every connection (simultaneous dials can leave two)
                if (peer.equals(c.remotePeer())) c.close();
            }
        }
    }

    @Override
    public boolean allow(PeerId peer, Multiaddr remote, boolean inbound) {
        if (peer == null) return true; // before the handshake: judged after it
        synchronized (peers) {
            long[] s = peers.get(peer);
            return s == null || !banned(s);
        }
    }

    /** Whether {@code peer} is banned now. */
    boolean isBanned(PeerId peer) {
        return !allow(peer, null, true);
    }

    /** Peers remembered now (at most {@code maxPeers}). */
    int size() {
        synchronized (peers) {
            return peers.size();
        }
    }

    private boolean banned(long[] s) {
        return s[1] != 0 && s[1] - nanoTime.getAsLong() > 0;
    }
}
