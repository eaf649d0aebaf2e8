package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;

/**
 * Diagnostic trace of one block's journey (flush → announce → deliver → fetch → serve → apply →
 * commit), on when the system property {@code warpstats.trace} is {@code true}: one line per step
 * on stderr, {@code TRACE <µs since start> <step> <who> <cid>}. Off by default; a constant check
 * when off. Used to find where time goes (docs/benchmarks.md, "Method").
 */
public final class Trace {
    /** Whether tracing is on (fixed at class load). */
    public static final boolean ON = Boolean.getBoolean("warpstats.trace");
    private static final long T0 = System.nanoTime();

    private Trace() {}

    /** Records one step of {@code cid} by {@code who}. */
    public static void event(String step, Object who, Cid cid) {
        if (!ON) return;
        System.err.println("TRACE " + (System.nanoTime() - T0) / 1000 + " " + step + " " + who + " " + cid);
    }
}
