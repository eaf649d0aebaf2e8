package io.warpstats.stats;

import io.warpstats.crdt.MerkleCrdt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Read-your-writes for the set counts. A like changes the likers set in the engine at once (a
 * {@code get} sees it), but the materialized member count changes only when the engine flushes the
 * pending delta. Until then, a read of the post adds, for each member key this node wrote and has not
 * yet seen flushed, its term {@code visible − durable}: whether the engine shows the member now (pending
 * writes included) minus whether its last durable write does ({@link MerkleCrdt#getDurable}), which is what
 * the count row holds. A key whose write is durable adds 0, so keeping a key a little too long is harmless.
 *
 * <p><b>Cost: O(1) per write.</b> A key's term changes only when this node writes the key or a commit
 * changes the key's durable state, and both are seen here: {@link #wrote} and {@link #written} around the
 * engine's put, {@link #applied} after a commit that touched the key. Each such event marks the key's term
 * unknown (with a fresh event number); a read reads the unknown terms from the engine (two point reads
 * each), adds the sum of the known ones, and keeps a term it read only if the key had no event since (its
 * event number is unchanged). So a read of a hot post reads the keys written since the previous read, not
 * every write that waits for its flush. A read also keeps its count, answered again while the post has had
 * no event and its stamp (below) has not moved.
 *
 * <p><b>Consistency of a read.</b> The count row and the members' durable states are separate store reads,
 * and an engine commit changes both at once; a read must not see one before a commit and the other after it.
 * The view marks a post {@linkplain #changing changing} inside the engine's atomic write that changes one of
 * its members (before the write) and {@linkplain #applied applied} once the write is durable, when its count
 * row is visible; {@code applied} advances the post's stamp. A reader takes the stamp, reads the row and the
 * terms, and keeps the result only if no such write was in flight at either end and the stamp is the same
 * afterwards. Stamps are striped ({@value #STRIPES} stripes by post) and outlive the per-post entries, so a
 * post whose entry was dropped and created again meanwhile is still seen to have changed. This node's writes
 * do not move the stamp: a key written after the reader took its terms is not counted (the read precedes
 * that write), and a key leaves only once its write is durable, when its term is 0. After
 * {@link #SPIN_NANOS} of retries (a post flushed every millisecond) the reader takes this object's monitor,
 * waits until no write of the post is in flight, and reads holding it: no write of the post can start
 * meanwhile ({@link #changing} needs the monitor), so that read is exact. The wait is bounded by
 * {@link #MAX_READ_WAIT_NANOS} (an engine commit stalled on its disk); past it the read answers without the
 * guarantee.
 *
 * <p>Bounded by the outbox: a key stays from this node's write until the outbox has seen its flush.
 * Thread-safe: every method holds this object's monitor briefly; a contended read holds it for its few
 * store reads, which take no lock of the engine.
 */
final class PendingMembers {
    /** How long a read retries without the monitor before it reads holding it. */
    static final long SPIN_NANOS = 1_000_000L;
    /** How long a contended read waits for a change of its post in flight (a commit takes milliseconds). */
    static final long MAX_READ_WAIT_NANOS = 100_000_000L;
    static final int STRIPES = 1024;

    private static final class Post {
        final Map<String, Long> keys = new HashMap<>(); // member key → seq of this node's last write of it
        final Map<String, Integer> terms = new HashMap<>(); // pending keys whose term is known → that term
        final Map<String, Long> unknown = new HashMap<>(); // pending keys whose term must be read → their last event
        long knownSum; // Σ terms
        long events; // events of this post (writes, commits, flushes seen)
        long lastCount = -1; // the count of the last consistent read (-1: none) …
        long lastEvents; // … after this many events …
        long lastStamp; // … at this stamp
        int changing;

        /** An event of {@code key}: its term must be read again (if the key is still pending). */
        void event(String key) {
            events++;
            Integer t = terms.remove(key);
            if (t != null) knownSum -= t;
            if (keys.containsKey(key)) unknown.put(key, events);
            else unknown.remove(key);
        }
    }

    /** A read's view of a post: the known sum and the keys whose terms it reads. */
    private record Snapshot(long stamp, long events, long knownSum, List<String> keys, long[] eventOf) {
        static final long[] NONE = new long[0];
    }

    private final Map<String, Post> byPost = new HashMap<>();
    private final long[] stamps = new long[STRIPES]; // guarded by this
    private int waiters; // guarded by this: readers waiting in wait() for a post's change to apply
    private final LongAdder termReads = new LongAdder();

    private static String post(Stat stat, String postId) {
        return stat.key() + "/" + postId;
    }

    private static int stripe(String k) {
        int h = k.hashCode();
        return (h ^ (h >>> 16)) & (STRIPES - 1);
    }

    private Post post(String k) {
        return byPost.computeIfAbsent(k, x -> new Post());
    }

    private void dropIfIdle(String k, Post p) {
        if (p.keys.isEmpty() && p.changing == 0) byPost.remove(k);
    }

    /** This node is about to write member {@code key} of (stat, post) with sequence number {@code seq}. */
    synchronized void wrote(Stat stat, String postId, String key, long seq) {
        Post p = post(post(stat, postId));
        p.keys.put(key, seq);
        p.event(key);
    }

    /** The engine took this node's write of member {@code key}: its visible state may have changed. */
    synchronized void written(Stat stat, String postId, String key) {
        Post p = byPost.get(post(stat, postId));
        if (p != null) p.event(key);
    }

    /** The view is about to write a change of a member of (stat, post): reads of the post wait for {@link #applied}. */
    synchronized void changing(Stat stat, String postId) {
        post(post(stat, postId)).changing++;
    }

    /** The change of member {@code key} announced by {@link #changing} is durable, its row visible. */
    synchronized void applied(Stat stat, String postId, String key) {
        String k = post(stat, postId);
        Post p = post(k);
        if (p.changing > 0) p.changing--;
        p.event(key);
        stamps[stripe(k)]++;
        dropIfIdle(k, p);
        if (waiters > 0 && p.changing == 0) notifyAll();
    }

    /** The flush that carried {@code key}'s write {@code seq} is durable: the key leaves unless written again since. */
    synchronized void flushed(String key, long seq) {
        StatsKeys.parseMember(key).ifPresent(m -> {
            String k = post(m.stat(), m.postId());
            Post p = byPost.get(k);
            if (p == null) return;
            Long last = p.keys.get(key);
            if (last == null || last > seq) return;
            p.keys.remove(key);
            p.event(key);
            dropIfIdle(k, p);
        });
    }

    /** The count of (stat, post): {@code committedRow} (−1: none) plus this node's unflushed member writes, read consistently. */
    long count(Stat stat, String postId, MerkleCrdt crdt, LongSupplier committedRow) {
        String k = post(stat, postId);
        int stripe = stripe(k);
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        for (int attempt = 0; ; attempt++) {
            Snapshot snap = null;
            Post p;
            synchronized (this) {
                p = byPost.get(k);
                long stamp = stamps[stripe];
                if (p == null) {
                    snap = new Snapshot(stamp, 0, 0, List.of(), Snapshot.NONE);
                } else if (p.lastCount >= 0 && p.lastEvents == p.events && p.lastStamp == stamp) {
                    return p.lastCount; // no event and no commit of the post since the last consistent read
                } else if (p.changing == 0) {
                    snap = snapshot(p, stamp);
                }
            }
            if (snap != null) {
                int[] terms = new int[snap.keys().size()];
                long n = sum(snap, terms, crdt, committedRow);
                synchronized (this) {
                    Post now = byPost.get(k);
                    if (stamps[stripe] == snap.stamp() && (now == null || now.changing == 0)) {
                        if (now != null && now == p) keep(now, snap, terms, n);
                        return n;
                    }
                }
            }
            if (System.nanoTime() - spinUntil > 0) return countHoldingMonitor(k, stripe, crdt, committedRow);
            if (attempt < 64) Thread.onSpinWait();
            else LockSupport.parkNanos(20_000); // a commit is in flight: let it finish
        }
    }

    /** A read that no write of the post can overtake: waits (bounded) until none is in flight, then reads holding the monitor. */
    private synchronized long countHoldingMonitor(String k, int stripe, MerkleCrdt crdt, LongSupplier committedRow) {
        long deadline = System.nanoTime() + MAX_READ_WAIT_NANOS;
        Post p;
        while ((p = byPost.get(k)) != null && p.changing > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            waiters++;
            try {
                wait(Math.max(1, left / 1_000_000L));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                waiters--;
            }
        }
        if (p == null) return Math.max(0, committedRow.getAsLong());
        Snapshot snap = snapshot(p, stamps[stripe]);
        int[] terms = new int[snap.keys().size()];
        long n = sum(snap, terms, crdt, committedRow);
        if (p.changing == 0) keep(p, snap, terms, n);
        return n;
    }

    /** Caller holds the monitor. */
    private static Snapshot snapshot(Post p, long stamp) {
        if (p.unknown.isEmpty()) return new Snapshot(stamp, p.events, p.knownSum, List.of(), Snapshot.NONE);
        List<String> keys = new ArrayList<>(p.unknown.size());
        long[] eventOf = new long[p.unknown.size()];
        for (Map.Entry<String, Long> e : p.unknown.entrySet()) {
            eventOf[keys.size()] = e.getValue();
            keys.add(e.getKey());
        }
        return new Snapshot(stamp, p.events, p.knownSum, keys, eventOf);
    }

    /** The row plus the known terms plus the terms read now (written to {@code terms}). */
    private long sum(Snapshot snap, int[] terms, MerkleCrdt crdt, LongSupplier committedRow) {
        long n = Math.max(0, committedRow.getAsLong()) + snap.knownSum();
        for (int i = 0; i < terms.length; i++) {
            String key = snap.keys().get(i);
            terms[i] = (crdt.get(key).isPresent() ? 1 : 0) - (crdt.getDurable(key).isPresent() ? 1 : 0);
            n += terms[i];
        }
        termReads.add(terms.length);
        return Math.max(0, n);
    }

    /**
     * A consistent read of {@code p} ended: its terms of keys with no event since are known now, and its count
     * holds until the next event or commit. Caller holds the monitor, and {@code p.changing == 0}.
     */
    private static void keep(Post p, Snapshot snap, int[] terms, long count) {
        for (int i = 0; i < terms.length; i++) {
            String key = snap.keys().get(i);
            Long ev = p.unknown.get(key);
            if (ev == null || ev != snap.eventOf()[i]) continue; // an event of the key since the read: read it again next time
            p.unknown.remove(key);
            p.terms.put(key, terms[i]);
            p.knownSum += terms[i];
        }
        if (p.events == snap.events()) { // no event of the post during the read: the count is the post's now
            p.lastCount = count;
            p.lastEvents = p.events;
            p.lastStamp = snap.stamp();
        }
    }

    /** Terms read from the engine so far (each two point reads): the work of {@link #count} beyond the row. */
    long termReads() {
        return termReads.sum();
    }

    /** Whether (stat, post) has a member write of this node not yet flushed (a read then knows the post). */
    synchronized boolean any(Stat stat, String postId) {
        Post p = byPost.get(post(stat, postId));
        return p != null && !p.keys.isEmpty();
    }

    /**
     * Forgets the pending keys and the changes in flight (the CRDT was detached or failed: the outbox replays and
     * writes the keys again, and a failed commit never reports {@link #applied}, which would otherwise hold every
     * later read of its post for {@link #MAX_READ_WAIT_NANOS}). Reads go to the local database until the CRDT is
     * usable again.
     */
    synchronized void clear() {
        byPost.clear();
        for (int i = 0; i < STRIPES; i++) stamps[i]++; // a read in progress must not keep a sum over the dropped keys
        if (waiters > 0) notifyAll();
    }
}
