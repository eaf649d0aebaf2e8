package io.warpstats.replication;

import io.warpstats.p2p.PeerId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Misbehaviour scores per peer with bans, bounded — the sync client's (to choose whom to ask) and
 * the node's connection gate's (to disconnect and refuse) — see {@link SyncParams#banThreshold()}: at most
 * {@link SyncParams#maxScoredPeers()} peers are remembered, however many distinct peer ids the
 * network shows us. A peer without an entry has a clean score (0), so forgetting a peer that is
 * not banned only forgives it early; forgetting a banned one would end its ban early, so when room
 * is needed the entries go in this order: expired bans, then the peer penalized longest ago
 * among those not banned, and only when every remembered peer is banned now, the ban that ends
 * first (the bound holds even against a flood of identities that all earn a ban). O(1) amortized
 * per offense: banned peers are kept apart, in the order their bans end (the ban duration is fixed).
 * Thread-safe (one lock).
 */
public final class PeerScores {
    private static final class Score {
        int points;
        long bannedUntil; // meaningful in `banned` only
    }

    private final int max;
    private final int banThreshold;
    private final long banNanos;
    private final LongSupplier nanoTime;
    /** Penalized, not banned: oldest offense first. */
    private final LinkedHashMap<PeerId, Score> scored = new LinkedHashMap<>();
    /** Banned (the ban may have ended since; such entries are dropped lazily): earliest ban end first. */
    private final LinkedHashMap<PeerId, Score> banned = new LinkedHashMap<>();

    /**
     * @param maxPeers     the most peers remembered (≥ 1)
     * @param banThreshold the score at or below which a peer is banned
     * @param banNanos     how long a ban lasts, in {@code nanoTime} units
     * @param nanoTime     the clock (tests pass a fake one)
     */
    public PeerScores(int maxPeers, int banThreshold, long banNanos, LongSupplier nanoTime) {
        if (maxPeers < 1) throw new IllegalArgumentException("maxPeers must be positive");
        this.max = maxPeers;
        this.banThreshold = banThreshold;
        this.banNanos = banNanos;
        this.nanoTime = nanoTime;
    }

    /** The peer's score: its points, 0 if unknown or once its ban is over (forgiven). */
    public synchronized int score(PeerId peer) {
        Score b = banned.get(peer);
        if (b != null) return active(b, nanoTime.getAsLong()) ? b.points : 0;
        Score s = scored.get(peer);
        return s == null ? 0 : s.points;
    }

    /**
     * Whether {@code peer} may be asked now: false while it is banned. A ban that is over is
     * forgotten here (forgiven: the peer starts again from a clean score).
     */
    public synchronized boolean admits(PeerId peer) {
        Score b = banned.get(peer);
        if (b == null) return true;
        if (active(b, nanoTime.getAsLong())) return false;
        banned.remove(peer);
        return true;
    }

    /**
     * Subtracts {@code points}; a peer whose score falls to the threshold is banned for the ban
     * duration. Returns whether this offense started a ban (not while one is running: it is not
     * extended).
     */
    public synchronized boolean penalize(PeerId peer, int points) {
        long now = nanoTime.getAsLong();
        Score s = banned.get(peer);
        if (s != null) {
            if (active(s, now)) { // still out: the points count, the ban is not extended
                s.points -= points;
                return false;
            }
            banned.remove(peer); // the ban is over: forgiven, a clean score again
            s = new Score();
        } else {
            s = scored.remove(peer); // re-inserted below: the most recent offense goes last
            if (s == null) {
                makeRoom(now);
                s = new Score();
            }
        }
        s.points -= points;
        if (s.points <= banThreshold) {
            s.bannedUntil = now + banNanos;
            banned.put(peer, s);
            return true;
        }
        scored.put(peer, s);
        return false;
    }

    /** Peers banned now (expired bans are dropped here, earliest end first: O(1) amortized). */
    public synchronized int bannedCount() {
        long now = nanoTime.getAsLong();
        Iterator<Score> it = banned.values().iterator();
        while (it.hasNext()) {
            if (active(it.next(), now)) break;
            it.remove();
        }
        return banned.size();
    }

    /** Peers remembered (at most the bound). */
    public synchronized int size() {
        return scored.size() + banned.size();
    }

    private void makeRoom(long now) {
        if (size() < max) return;
        Iterator<Score> it = banned.values().iterator(); // earliest ban end first
        while (it.hasNext() && size() >= max) {
            if (active(it.next(), now)) break;
            it.remove();
        }
        if (size() < max) return;
        Map<PeerId, Score> from = scored.isEmpty() ? banned : scored;
        Iterator<Score> eldest = from.values().iterator();
        eldest.next();
        eldest.remove();
    }

    private static boolean active(Score s, long now) {
        return s.bannedUntil - now > 0;
    }
}
