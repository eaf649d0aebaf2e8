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
 *
 * <p><b>Recovery</b> (as gossipsub's scores decay towards 0): a score below 0 and not banned
 * regains one point per {@code recoveryNanos} (linear, computed when the score is read or
 * changed: O(1), no timer), so offenses spread over time do not add up to a ban while offenses in
 * quick succession do. A ban is not shortened: it lasts the ban duration, then the score is clean.
 *
 * <p><b>Offenses that cannot ban</b> ({@link #penalize(PeerId, int, boolean)} with {@code mayBan}
 * false: a timeout, a slow peer is not a hostile one) lower the score at most to half the ban
 * threshold: the peer is asked after cleaner ones, never banned for being slow alone.
 * Thread-safe (one lock).
 */
public final class PeerScores {
    private static final class Score {
        int points;
        long since; // recovery is accounted up to this time
        long bannedUntil; // meaningful in `banned` only
    }

    private final int max;
    private final int banThreshold;
    private final long banNanos;
    private final long recoveryNanos;
    private final LongSupplier nanoTime;
    /** Penalized, not banned: oldest offense first. */
    private final LinkedHashMap<PeerId, Score> scored = new LinkedHashMap<>();
    /** Banned (the ban may have ended since; such entries are dropped lazily): earliest ban end first. */
    private final LinkedHashMap<PeerId, Score> banned = new LinkedHashMap<>();

    /** Scores that never recover by themselves (only a ban's end forgives). */
    public PeerScores(int maxPeers, int banThreshold, long banNanos, LongSupplier nanoTime) {
        this(maxPeers, banThreshold, banNanos, 0, nanoTime);
    }

    /**
     * @param maxPeers      the most peers remembered (≥ 1)
     * @param banThreshold  the score at or below which a peer is banned (negative)
     * @param banNanos      how long a ban lasts, in {@code nanoTime} units
     * @param recoveryNanos a score not banned regains one point per this many {@code nanoTime} units; 0: never
     * @param nanoTime      the clock (tests pass a fake one)
     */
    public PeerScores(int maxPeers, int banThreshold, long banNanos, long recoveryNanos, LongSupplier nanoTime) {
        if (maxPeers < 1) throw new IllegalArgumentException("maxPeers must be positive");
        if (banThreshold >= 0) throw new IllegalArgumentException("banThreshold must be negative");
        if (recoveryNanos < 0) throw new IllegalArgumentException("recoveryNanos must not be negative");
        this.max = maxPeers;
        this.banThreshold = banThreshold;
        this.banNanos = banNanos;
        this.recoveryNanos = recoveryNanos;
        this.nanoTime = nanoTime;
    }

    /** The peer's score: its points (recovered so far), 0 if unknown or once its ban is over (forgiven). */
    public synchronized int score(PeerId peer) {
        long now = nanoTime.getAsLong();
        Score b = banned.get(peer);
        if (b != null) return active(b, now) ? b.points : 0;
        Score s = scored.get(peer);
        if (s == null) return 0;
        recover(s, now);
        return s.points;
    }

    /** The lowest score offenses that cannot ban bring a peer to: half the ban threshold. */
    public int slowFloor() {
        return banThreshold / 2;
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
    public boolean penalize(PeerId peer, int points) {
        return penalize(peer, points, true);
    }

    /**
     * Subtracts {@code points}, after the recovery due; with {@code mayBan} false (a timeout) the score
     * falls at most to {@link #slowFloor()} (a score already below it stays where it is), so it never
     * reaches the threshold by such offenses alone. A peer whose score falls to the threshold is banned
     * for the ban duration. Returns whether this offense started a ban (not while one is running: it is
     * not extended).
     */
    public synchronized boolean penalize(PeerId peer, int points, boolean mayBan) {
        if (points < 0) throw new IllegalArgumentException("points must not be negative");
        long now = nanoTime.getAsLong();
        Score s = banned.get(peer);
        if (s != null) {
            if (active(s, now)) { // still out: the points count, the ban is not extended
                s.points = (int) Math.max(Integer.MIN_VALUE / 2, (long) s.points - points);
                return false;
            }
            banned.remove(peer); // the ban is over: forgiven, a clean score again
            s = new Score();
            s.since = now;
        } else {
            s = scored.remove(peer); // re-inserted below: the most recent offense goes last
            if (s == null) {
                makeRoom(now);
                s = new Score();
                s.since = now;
            } else {
                recover(s, now);
            }
        }
        long after = (long) s.points - points;
        s.points = (int) Math.max(mayBan ? Integer.MIN_VALUE : Math.min(s.points, slowFloor()), after);
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
        dropExpiredBans(nanoTime.getAsLong());
        return banned.size();
    }

    /** Peers remembered (at most the bound). */
    public synchronized int size() {
        return scored.size() + banned.size();
    }

    private void makeRoom(long now) {
        if (size() < max) return;
        dropExpiredBans(now);
        if (size() < max) return;
        Map<PeerId, Score> from = scored.isEmpty() ? banned : scored;
        Iterator<Score> eldest = from.values().iterator();
        eldest.next();
        eldest.remove();
    }

    /** Forgets the bans that are over (forgiven: a clean score), earliest end first; O(1) amortized. */
    private void dropExpiredBans(long now) {
        Iterator<Score> it = banned.values().iterator();
        while (it.hasNext()) {
            if (active(it.next(), now)) break;
            it.remove();
        }
    }

    /** Adds the points regained since {@code s.since} (one per {@code recoveryNanos}), up to 0. O(1). */
    private void recover(Score s, long now) {
        if (s.points >= 0 || recoveryNanos == 0) {
            s.since = now;
            return;
        }
        long elapsed = now - s.since;
        if (elapsed < recoveryNanos) return; // also a clock that went backwards: nothing regained
        long steps = elapsed / recoveryNanos;
        if (steps >= -(long) s.points) {
            s.points = 0;
            s.since = now;
        } else {
            s.points += (int) steps;
            s.since += steps * recoveryNanos; // the remainder counts towards the next point
        }
    }

    private static boolean active(Score s, long now) {
        return s.bannedUntil - now > 0;
    }
}
