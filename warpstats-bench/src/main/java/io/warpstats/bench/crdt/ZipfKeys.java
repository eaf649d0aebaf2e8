package io.warpstats.bench.crdt;

import java.util.SplittableRandom;

/**
 * A fixed sequence of key indices drawn from a Zipf distribution (exponent {@code s}) over
 * {@code n} keys: the shape of likes on posts, where a few posts get most of the traffic.
 * Drawn once, before measuring, by inverting the cumulative distribution.
 */
public final class ZipfKeys {
    private ZipfKeys() {}

    public static int[] draw(int n, double s, int count, long seed) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] out = new int[count];
        for (int j = 0; j < count; j++) {
            double u = rnd.nextDouble() * sum;
            int lo = 0, hi = n - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] < u) lo = mid + 1; else hi = mid;
            }
            out[j] = lo;
        }
        return out;
    }

    /** The counter-slot keys of {@code n} posts for one node, as the stats layer writes them. */
    static String[] slotKeys(int n) {
        String node = "12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN";
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) keys[i] = "/incr/likes/post-" + i + "/" + node + "/inc-0001";
        return keys;
    }
}
