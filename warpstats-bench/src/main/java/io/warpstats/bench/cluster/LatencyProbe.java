package io.warpstats.bench.cluster;

import io.warpstats.crdt.MaterializedView;
import io.warpstats.crdt.ViewRows;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;

/**
 * Time from a put on one node until its value is visible on every other node. A sampled put
 * registers (key, value, time); each node's probe view ({@link #listener}) marks the sample seen when the
 * key's visible value reaches at least that value (slot values are running totals, so a later
 * coalesced total also makes the sampled put visible); the last node records the latency. At
 * most one sample per key is outstanding; unsampled keys cost one map lookup per change.
 */
final class LatencyProbe {
    private record Sample(int origin, long value, long putNanos, AtomicInteger seen) {}

    private final int nodes;
    private final ConcurrentHashMap<String, Sample> outstanding = new ConcurrentHashMap<>();
    private final Recorder recorder = new Recorder(3);
    private final AtomicLong completed = new AtomicLong();
    private volatile boolean recording = true;

    LatencyProbe(int nodes) {
        this.nodes = nodes;
    }

    /** Called by the writer just before {@code put(key, total)}; false if the key already has a sample. */
    boolean sample(int origin, String key, long total) {
        return outstanding.putIfAbsent(key, new Sample(origin, total, System.nanoTime(), new AtomicInteger())) == null;
    }

    /** The view that watches replica {@code node}'s changes (it writes no rows). */
    MaterializedView listener(int node) {
        return MaterializedView.of("/bench/probe/", "", (String key, byte @Nullable [] oldValue, byte @Nullable [] newValue, ViewRows rows) -> {
            Sample s = outstanding.get(key);
            if (s == null || s.origin == node || newValue == null || newValue.length != 8) return;
            if (decode(newValue) < s.value) return;
            int bit = 1 << node;
            int all = ((1 << nodes) - 1) & ~(1 << s.origin);
            int seen;
            do {
                seen = s.seen.get();
                if ((seen & bit) != 0) return;
            } while (!s.seen.compareAndSet(seen, seen | bit));
            if ((seen | bit) == all && outstanding.remove(key, s)) {
                if (recording) recorder.recordValue(Math.max(1, (System.nanoTime() - s.putNanos) / 1000));
                completed.incrementAndGet();
            }
        });
    }

    /** Starts a new measurement interval (drops what was recorded so far). */
    void reset() {
        recorder.getIntervalHistogram();
    }

    Histogram interval() {
        return recorder.getIntervalHistogram();
    }

    int outstanding() {
        return outstanding.size();
    }

    void clear() {
        outstanding.clear();
    }

    static long decode(byte[] v) {
        long x = 0;
        for (int i = 0; i < 8; i++) x = (x << 8) | (v[i] & 0xff);
        return x;
    }

    static byte[] encode(long x) {
        byte[] b = new byte[8];
        for (int i = 7; i >= 0; i--) {
            b[i] = (byte) x;
            x >>>= 8;
        }
        return b;
    }
}
