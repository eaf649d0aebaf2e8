package io.warpstats.crdt;

import java.time.Duration;

/**
 * The delay of the next timer flush: the configured {@code flushDelay} while generations are
 * small, longer under load (a Nagle-style rule: larger blocks when there is a lot to write).
 *
 * <p>Why: every block costs every replica a fixed amount of work (an announcement, a fetch, a
 * store batch, a hash, a decode), and coalescing is better over a longer window (with Zipf keys the
 * same hot keys are put again). A short fixed delay spends a loaded replica's CPU on per-block work;
 * a long fixed delay costs latency on a quiet one. The measurements that chose the constants are in
 * docs/benchmarks.md.
 *
 * <p>Rule: after a generation of {@code k} distinct keys, the next delay is
 * {@code flushDelay × max(1, k / KEYS_PER_STEP)}, at most {@code MAX_FACTOR × flushDelay}.
 * A quiet replica (fewer than {@code 2 × KEYS_PER_STEP} keys per generation) keeps
 * {@code flushDelay} exactly; above that the rule feeds itself (a longer delay gathers more keys)
 * and a replica under load settles at the cap; one small generation brings the delay back at once.
 * Only the timer flush is paced: {@code flush()}, the size-triggered flush ({@code maxBatchKeys})
 * and backpressure are not delayed.
 *
 * <p>Concurrency: thread-safe (one volatile); {@link #flushed} is called by the flushing thread,
 * {@link #delayNanos} by writers arming the timer.
 */
final class FlushPacer {
    /** Distinct keys of a generation per step of {@code flushDelay}. */
    static final int KEYS_PER_STEP = 16;
    /** The delay is at most this many times {@code flushDelay}. */
    static final int MAX_FACTOR = 20;
    private final long minNanos;
    private volatile long nextNanos;

    FlushPacer(Duration flushDelay) {
        this.minNanos = flushDelay.toNanos();
        this.nextNanos = minNanos;
    }

    /** A generation of {@code distinctKeys} keys was flushed (by any path): sets the next timer delay. */
    void flushed(int distinctKeys) {
        long factor = Math.max(1, Math.min(MAX_FACTOR, distinctKeys / KEYS_PER_STEP));
        nextNanos = minNanos * factor;
    }

    /** The delay to arm the next timer flush with, in ns. */
    long delayNanos() {
        return nextNanos;
    }
}
