package io.warpstats.stats;

import io.warpstats.crdt.MerkleCrdt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>Cost: a key's term changes only when this node writes the key or a commit changes its durable state,
 * and both are seen here ({@link #wrote} and {@link #written} around the engine's put, {@link #applied} after
 * a commit that touched it). So a term is read from the engine (two point reads) once after each such event
 * and then kept: a read of a post adds the kept sum and reads only the keys changed since the last read,
 * O(1) per write however many of this node's writes of a hot post wait for their flush.
 *
 * <p>Consistency of a read (a seqlock per post): the view marks a post {@linkplain #changing changing}
 * inside the engine's atomic write that changes one of its members (before the write) and
 * {@linkplain #applied applied} once the write is durable, when its count row is visible. A reader takes
 * the post's version, reads the row and the terms of the changed keys, and keeps the result (and the terms)
 * only if no such write was in flight and the version is the same afterwards; else it reads again, for at
 * most {@link #MAX_READ_WAIT_NANOS}, then it answers with its last read (and keeps no term). So the row and
 * the durable states it compares are always of the same write, and a kept term is one no event has changed.
 *
 * <p>Bounded by the outbox: a key stays from this node's write until the outbox has seen its flush.
 * Thread-safe: every method holds this object's monitor briefly and never calls out while holding it.
 */
final class PendingMembers {
    /** How long a read waits for a change of its post in flight (a commit takes milliseconds) before it answers with its last read. */
    static final long MAX_READ_WAIT_NANOS = 100_000_000L;

    private static final class Post {
        final Map<String, Long> keys = new HashMap<>(); // member key → seq of this node's last write of it
        final Map<String, Integer> terms = new HashMap<>(); // keys whose term is known → that term
        final Set<String> changed = new HashSet<>(); // keys whose term must be read again
        long knownSum; // Σ terms
        long lastCount = -1; // the count of the last consistent read (-1: none) …
        long lastCountVersion; // … at this version
        int changing;
        long version;

        /** {@code key}'s term must be read again (if the key is still pending). */
        void forget(String key) {
            Integer t = terms.remove(key);
            if (t != null) knownSum -= t;
            if (keys.containsKey(key)) changed.add(key);
        }
    }

    private final Map<String, Post> byPost = new HashMap<>();
    private final java.util.concurrent.atomic.LongAdder termReads = new java.util.concurrent.atomic.LongAdder();

    private static String post(Stat stat, String postId) {
        return stat.key() + "/" + postId;
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
        p.forget(key);
        p.version++;
    }

    /** The engine took this node's write of member {@code key} (its visible state may have changed). */
    synchronized void written(Stat stat, String postId, String key) {
        Post p = byPost.get(post(stat, postId));
        if (p == null) return;
        p.forget(key);
        p.version++;
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
        p.forget(key);
        p.version++;
        dropIfIdle(k, p);
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
            p.forget(key);
            p.changed.remove(key);
            p.version++;
            dropIfIdle(k, p);
        });
    }

    /** The count of (stat, post): {@code committedRow} (−1: none) plus this node's unflushed member writes, read consistently. */
    long count(Stat stat, String postId, MerkleCrdt crdt, LongSupplier committedRow) {
        String k = post(stat, postId);
        long last = 0;
        long deadline = System.nanoTime() + MAX_READ_WAIT_NANOS;
        for (int attempt = 0; ; attempt++) {
            Post p;
            long version;
            long known;
            List<String> changed;
            boolean inFlight;
            synchronized (this) {
                p = byPost.get(k);
                if (p == null) return Math.max(0, committedRow.getAsLong()); // nothing pending, nothing in flight: no write can start meanwhile
                version = p.version;
                // no event since the last consistent read: its count still holds, even while a commit is in flight
                // (a local flush changes no visible state; a merge's change shows once applied, which is an event)
                if (p.lastCount >= 0 && p.lastCountVersion == version) return p.lastCount;
                inFlight = p.changing > 0;
                known = p.knownSum;
                changed = p.changed.isEmpty() ? List.of() : new ArrayList<>(p.changed);
            }
            long n = Math.max(0, committedRow.getAsLong()) + known;
            int[] terms = new int[changed.size()];
            for (int i = 0; i < terms.length; i++) {
                String key = changed.get(i);
                terms[i] = (crdt.get(key).isPresent() ? 1 : 0) - (crdt.getDurable(key).isPresent() ? 1 : 0);
                termReads.increment();
                n += terms[i];
            }
            last = Math.max(0, n);
            if (!inFlight) {
                synchronized (this) {
                    Post now = byPost.get(k);
                    if (now == null) return last;
                    if (now == p && p.version == version && p.changing == 0) {
                        p.lastCount = last;
                        p.lastCountVersion = version;
                        for (int i = 0; i < terms.length; i++) { // no event since: these terms hold until the next one
                            p.changed.remove(changed.get(i));
                            p.terms.put(changed.get(i), terms[i]);
                            p.knownSum += terms[i];
                        }
                        return last;
                    }
                }
            }
            if (System.nanoTime() - deadline > 0) return last;
            if (attempt < 64) Thread.onSpinWait();
            else LockSupport.parkNanos(20_000); // a commit is in flight: let it finish
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

    /** Forgets the pending keys (the CRDT was detached or failed: the outbox replays and writes them again). */
    synchronized void clear() {
        byPost.values().forEach(p -> {
            p.keys.clear();
            p.terms.clear();
            p.changed.clear();
            p.knownSum = 0;
            p.version++;
        });
        byPost.values().removeIf(p -> p.changing == 0);
    }
}
