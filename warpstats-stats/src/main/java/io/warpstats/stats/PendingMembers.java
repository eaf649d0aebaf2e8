package io.warpstats.stats;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-your-writes for the set counts. A like changes the likers set in the engine at once (a
 * {@code get} sees it), but the materialized member count changes only when the engine flushes the
 * pending delta. Until then, a read adds, for each member key this node changed and has not yet seen
 * flushed, {@code (intended ? 1 : 0) − (committed ? 1 : 0)}: what this node wrote, minus what the
 * committed count already holds for that key.
 *
 * <p>{@code committed} starts as the member's visibility when the key became pending (read by the caller
 * from the engine, which then has no pending write of the key: at most one entry per key) and follows
 * every change of the key that the view applies ({@link #committed}), local or merged. An entry leaves
 * when the outbox has seen the flush of its last write ({@link #flushed}).
 *
 * <p>Exactness: once no member write of this node is pending, a count is exactly the committed number
 * of members. While one is, a read that races the engine's commit of that very key may be off by one for
 * that instant (the view applies the change just before the write is durable).
 *
 * <p>Bounded by the outbox: one entry per member key written and not yet flushed. Thread-safe.
 */
final class PendingMembers {
    private static final class Entry {
        volatile boolean intended;
        boolean committed; // guarded by the entry
        boolean told;      // guarded by the entry: the view told committed since the entry was made
        volatile long seq;
    }

    private final Map<String, Entry> byKey = new ConcurrentHashMap<>();
    /** (stat, post) → member keys pending: what a read of the post adds up. */
    private final Map<String, Set<String>> byPost = new ConcurrentHashMap<>();

    private static String post(Stat stat, String postId) {
        return stat.key() + "/" + postId;
    }

    /**
     * This node wrote member {@code key} of (stat, post) with sequence number {@code seq}: it is now
     * {@code intended} (present or not). {@code committedNow} is the key's committed visibility, asked only
     * if the key has no entry yet.
     */
    synchronized void wrote(Stat stat, String postId, String key, boolean intended, long seq, java.util.function.BooleanSupplier committedNow) {
        Entry e = byKey.get(key);
        if (e == null) {
            e = new Entry();
            byKey.put(key, e); // first: a change the view applies from now on is told to the entry
            byPost.computeIfAbsent(post(stat, postId), k -> ConcurrentHashMap.newKeySet()).add(key);
            boolean now = committedNow.getAsBoolean();
            synchronized (e) {
                if (!e.told) e.committed = now; // else the view's word is newer than this read
            }
        }
        e.intended = intended;
        e.seq = seq;
    }

    /** The view applied a change of member {@code key}: it is now committed {@code present}. */
    void committed(String key, boolean present) {
        Entry e = byKey.get(key);
        if (e != null) {
            synchronized (e) {
                e.committed = present;
                e.told = true;
            }
        }
    }

    /** The flush that carried {@code key}'s write {@code seq} is durable: the entry leaves unless written again since. */
    synchronized void flushed(String key, long seq) {
        Entry e = byKey.get(key);
        if (e == null || e.seq > seq) return;
        byKey.remove(key);
        StatsKeys.parseMember(key).ifPresent(m -> {
            Set<String> keys = byPost.get(post(m.stat(), m.postId()));
            if (keys != null) {
                keys.remove(key);
                if (keys.isEmpty()) byPost.remove(post(m.stat(), m.postId()));
            }
        });
    }

    /** What a read of (stat, post) adds to the committed count. */
    long adjustment(Stat stat, String postId) {
        Set<String> keys = byPost.get(post(stat, postId));
        if (keys == null) return 0;
        long d = 0;
        for (String k : keys) {
            Entry e = byKey.get(k);
            if (e == null) continue;
            boolean committed;
            synchronized (e) {
                committed = e.committed;
            }
            d += (e.intended ? 1 : 0) - (committed ? 1 : 0);
        }
        return d;
    }

    /** Whether (stat, post) has a pending member write (a read then knows the post). */
    boolean any(Stat stat, String postId) {
        return byPost.containsKey(post(stat, postId));
    }

    /** Forgets everything (the CRDT was detached or failed: the outbox replays and writes again). */
    synchronized void clear() {
        byKey.clear();
        byPost.clear();
    }

    int size() {
        return byKey.size();
    }
}
