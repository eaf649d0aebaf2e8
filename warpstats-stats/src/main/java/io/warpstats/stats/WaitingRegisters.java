package io.warpstats.stats;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * This node's own registers waiting for the register delay ({@link StatsServiceBuilder#registerDelay}): its counter
 * slots of a post in this incarnation ({@code /incr/views/{postId}/{nodeId}/{incarnation}}: its running total of the
 * post's views) and its last-activity time of a post ({@code /activity/{postId}/{nodeId}}). The first write that changes
 * one starts its delay; later writes within it only change the local value that the eventual put reads. Any other key
 * (a set member) never waits.
 *
 * <p>Why: such a register is one live element per key that each put supersedes, leaving a dead element for checkpoints
 * to restate and the reaper to delete; with one put per delay, a post viewed a thousand times a second costs the CRDT
 * one such element per delay, not a thousand (docs/stats.md, "What a count means").
 *
 * <p>Invariants: registers leave in the order their delay started (so the oldest first write is the first entry);
 * each remembers the first write that changed it since its last put, which bounds the {@link CrdtMirror}'s watermark
 * ({@link #covered}); at most {@link #MAX_WAITING} wait ({@link #excess}). Not thread-safe: the mirror calls it under
 * its lock.
 */
final class WaitingRegisters {
    /** At most this many registers wait for their delay; beyond it the oldest are put at once (memory stays bounded). */
    static final int MAX_WAITING = 100_000;

    /** A register waiting: the first write that changed it since its last put, and when it is due. */
    private record Waiting(long seq, long dueNanos) {}

    private final LinkedHashMap<String, Waiting> waiting = new LinkedHashMap<>();
    private final long delayNanos;
    private final String activitySuffix; // "/{nodeId}": this node's activity keys end so
    private final String slotSuffix; // "/{nodeId}/{incarnation}": this node's slots of this incarnation end so

    WaitingRegisters(Duration delay, String nodeId, String incarnation) {
        this.delayNanos = delay.toNanos();
        this.activitySuffix = "/" + nodeId;
        this.slotSuffix = "/" + nodeId + "/" + incarnation;
    }

    /** Whether registers wait at all (a delay above zero). */
    boolean delays() {
        return delayNanos > 0;
    }

    /**
     * Whether {@code key}, changed by write {@code seq} at {@code nowNanos}, waits instead of being put now: true for this
     * node's registers while there is a delay (a register already waiting keeps its first write and its due time).
     */
    boolean hold(String key, long seq, long nowNanos) {
        if (delayNanos <= 0 || !isOwnRegister(key)) {
            return false;
        }
        waiting.putIfAbsent(key, new Waiting(seq, nowNanos + delayNanos));
        return true;
    }

    /** Ids hold no '/', so the suffix names the node (and the incarnation): {@code /activity/{post}/{node}}, {@code /incr|decr/…}. */
    private boolean isOwnRegister(String key) {
        if (key.startsWith("/activity/")) {
            return key.endsWith(activitySuffix);
        }
        return (key.startsWith("/incr/") || key.startsWith("/decr/")) && key.endsWith(slotSuffix);
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    /** How many more than {@link #MAX_WAITING} wait (0 if not more). */
    int excess() {
        return Math.max(0, waiting.size() - MAX_WAITING);
    }

    /** Every write up to the result has its keys put: {@code pushed}, or below the oldest waiting register's first write. */
    long covered(long pushed) {
        return waiting.isEmpty() ? pushed : Math.min(pushed, waiting.values().iterator().next().seq() - 1);
    }

    /**
     * Hands at most {@code max} registers to {@code put} (key, first write), oldest first: those due at {@code nowNanos},
     * or the oldest whether due or not if {@code all}. A register leaves once {@code put} returns; one that throws stays.
     */
    void release(long nowNanos, boolean all, int max, BiConsumer<String, Long> put) {
        int n = 0;
        for (var it = waiting.entrySet().iterator(); it.hasNext() && n++ < max; ) {
            Map.Entry<String, Waiting> e = it.next();
            if (!all && e.getValue().dueNanos() - nowNanos > 0) {
                return; // the rest started later
            }
            put.accept(e.getKey(), e.getValue().seq());
            it.remove();
        }
    }

    /** Forgets every waiting register (their writes were spilled from above the watermark). */
    void clear() {
        waiting.clear();
    }
}
