package io.warpstats.crdt;

import java.time.Duration;

/**
 * The delay of the next timer flush: the configured {@code flushDelay} while generations are
 * small, longer under load (a Nagle-style rule: larger blocks when there is a lot to write).
 *
 * <p>Why: every block costs every replica a fixed amount of work (an announcement, a fetch, a
 * store batch, a hash, a decode) and coalescing is better over a longer window (Zipf keys: the
 * same hot keys are put again). With a fixed 10 ms flush the 5-node cluster benchmark spends its
 * 2 cores faster than it writes at 50,000 puts/s; a 100 ms flush halves its p99 there but costs
 * ~50 ms of latency at 1,000 puts/s, whose target is 100 ms (docs/benchmarks.md, "Round 3").
 *
 * <p>Rule: after a generation of {@code k} distinct keys, the next delay is
 * {@code flushDelay × max(1, k / KEYS_PER_STEP)}, at most {@code MAX_FACTOR × flushDelay}.
 * A quiet replica (fewer than 32 keys per generation) keeps {@code flushDelay} exactly; above that
 * the rule feeds itself (a longer delay gathers more keys) and a replica under load settles at the
 * cap (200 ms with the default 10 ms); one small generation brings the delay back at once. With
 * 10 ms and Zipf keys the switch happens near 3,500 puts/s per replica. Constants chosen by
 * measurement (docs/benchmarks.md, "Round 3": 16/20 met 500 ms at 50,000 puts/s, 32/10 and 32/20
 * did not). Only the timer flush is paced: {@code flush()}, the size-triggered flush
 * ({@code maxBatchKeys}) and backpressure are not delayed. Thread-safe (one volatile).
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
