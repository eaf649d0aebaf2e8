package io.warpstats.bench.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The outcome of one load run per operation: requests acknowledged (a 2xx answer), failed (another answer
 * or a broken connection), timed out (no answer within the client's timeout), and the latency of every
 * answered request. Not thread-safe: each connection fills its own, {@link #add} merges them.
 */
final class LoadReport {
    /** One operation's counts and latencies (µs, 1 µs to 60 s, 3 significant digits). */
    static final class Counts {
        long acked;
        long failed;
        long timedOut;
        final Histogram micros = new Histogram(60_000_000L, 3);
    }

    private final Map<LoadGen.Op, Counts> byOp = new LinkedHashMap<>();

    LoadReport() {
        for (LoadGen.Op op : LoadGen.Op.values()) {
            byOp.put(op, new Counts());
        }
    }

    Counts of(LoadGen.Op op) {
        return byOp.get(op);
    }

    void add(LoadReport other) {
        for (LoadGen.Op op : LoadGen.Op.values()) {
            Counts a = byOp.get(op);
            Counts b = other.byOp.get(op);
            a.acked += b.acked;
            a.failed += b.failed;
            a.timedOut += b.timedOut;
            a.micros.add(b.micros);
        }
    }

    /** A row per operation with requests, then all together: the table and the JSON share these. */
    private List<Map<String, Object>> rows(double seconds) {
        List<Map<String, Object>> rows = new ArrayList<>();
        Counts all = new Counts();
        for (Map.Entry<LoadGen.Op, Counts> e : byOp.entrySet()) {
            Counts c = e.getValue();
            if (c.acked + c.failed + c.timedOut == 0) continue;
            rows.add(row(e.getKey().name().toLowerCase(Locale.ROOT), c, seconds));
            all.acked += c.acked;
            all.failed += c.failed;
            all.timedOut += c.timedOut;
            all.micros.add(c.micros);
        }
        rows.add(row("all", all, seconds));
        return rows;
    }

    private static Map<String, Object> row(String name, Counts c, double seconds) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("op", name);
        r.put("acked", c.acked);
        r.put("failed", c.failed);
        r.put("timedOut", c.timedOut);
        r.put("ackedPerSecond", Math.round(c.acked / seconds));
        r.put("p50Ms", ms(c.micros.getValueAtPercentile(50)));
        r.put("p99Ms", ms(c.micros.getValueAtPercentile(99)));
        r.put("p999Ms", ms(c.micros.getValueAtPercentile(99.9)));
        r.put("maxMs", ms(c.micros.getMaxValue()));
        return r;
    }

    private static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    /** A markdown table: one row per operation and one for all. */
    String table(double seconds) {
        StringBuilder sb = new StringBuilder("| op | acked | failed | timed out | acked/s | p50 ms | p99 ms | p999 ms | max ms |\n"
                + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Map<String, Object> r : rows(seconds)) {
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %.2f | %.2f | %.2f | %.2f |%n", r.get("op"),
                    r.get("acked"), r.get("failed"), r.get("timedOut"), r.get("ackedPerSecond"), r.get("p50Ms"),
                    r.get("p99Ms"), r.get("p999Ms"), r.get("maxMs")));
        }
        return sb.toString();
    }

    /** The same rows, with the run's settings, as one JSON object. */
    Map<String, Object> json(Map<String, Object> settings, double seconds) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("settings", settings);
        out.put("seconds", seconds);
        out.put("ops", rows(seconds));
        return out;
    }
}
