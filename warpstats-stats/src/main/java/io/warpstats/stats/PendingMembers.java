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
 * yet seen flushed, {@code visible − durable}: whether the engine shows the member now (pending writes
 * included) minus whether its last durable write does ({@link MerkleCrdt#getDurable}), which is what the
 * count row holds. A key whose write is durable adds 0, so keeping a key a little too long is harmless.
 *
 * <p>Consistency of a read (a seqlock per post): the view marks a post {@linkplain #changing changing}
 * inside the engine's atomic write that changes one of its members (before the write) and
 * {@linkplain #applied applied} once the write is durable, when its count row is visible. A reader takes
 * the post's version, reads the row and the members' durable state, and keeps the result only if no such
 * write was in flight and the version is the same afterwards; else it reads again, for at most
 * {@link #MAX_READ_WAIT_NANOS}, then it answers with its last read. So the row and the durable states it
 * compares are always of the same write.
 *
 * <p>Bounded by the outbox: a key stays from this node's write until the outbox has seen its flush.
 * Thread-safe: every method holds this object's monitor briefly and never calls out while holding it.
 */
final class PendingMembers {
    /** How long a read waits for a change of its post in flight (a commit takes milliseconds) before it answers with its last read. */
    static final long MAX_READ_WAIT_NANOS = 100_000_000L;

    private static final class Post {
        final Map<String, Long> keys = new HashMap<>(); // member key → seq of this node's last write of it
        int changing;
        long version;
    }

    private final Map<String, Post> byPost = new HashMap<>();

    private static String post(Stat stat, String postId) {
        return stat.key() + "/" + postId;
    }

    private Post post(String k) {
        return byPost.computeIfAbsent(k, x -> new Post());
    }

    private void dropIfIdle(String k, Post p) {
        if (p.keys.isEmpty() && p.changing == 0) byPost.remove(k);
    }

    /** This node wrote member {@code key} of (stat, post) with sequence number {@code seq}. */
    synchronized void wrote(Stat stat, String postId, String key, long seq) {
        Post p = post(post(stat, postId));
        p.keys.put(key, seq);
        p.version++;
    }

    /** The view is about to write a change of a member of (stat, post): reads of the post wait for {@link #applied}. */
    synchronized void changing(Stat stat, String postId) {
        post(post(stat, postId)).changing++;
    }

    /** The change announced by {@link #changing} is durable, its row visible. */
    synchronized void applied(Stat stat, String postId) {
        String k = post(stat, postId);
        Post p = post(k);
        if (p.changing > 0) p.changing--;
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
            long version;
            List<String> keys;
            boolean inFlight;
            synchronized (this) {
                Post p = byPost.get(k);
                if (p == null) return Math.max(0, committedRow.getAsLong()); // nothing pending, nothing in flight: no write can start meanwhile
                version = p.version;
                inFlight = p.changing > 0;
                keys = new ArrayList<>(p.keys.keySet());
            }
            long n = Math.max(0, committedRow.getAsLong());
            for (String key : keys) {
                n += (crdt.get(key).isPresent() ? 1 : 0) - (crdt.getDurable(key).isPresent() ? 1 : 0);
            }
            last = Math.max(0, n);
            if (!inFlight) {
                synchronized (this) {
                    Post p = byPost.get(k);
                    if (p == null || (p.version == version && p.changing == 0)) return last;
                }
            }
            if (System.nanoTime() - deadline > 0) return last;
            if (attempt < 64) Thread.onSpinWait();
            else LockSupport.parkNanos(20_000); // a commit is in flight: let it finish
        }
    }

    /** Whether (stat, post) has a member write of this node not yet flushed (a read then knows the post). */
    synchronized boolean any(Stat stat, String postId) {
        Post p = byPost.get(post(stat, postId));
        return p != null && !p.keys.isEmpty();
    }

    /** Forgets the pending keys (the CRDT was detached or failed: the outbox replays and writes them again). */
    synchronized void clear() {
        byPost.values().forEach(p -> p.keys.clear());
        byPost.values().removeIf(p -> p.changing == 0);
    }
}
