package io.warpstats.stats;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/** Big-endian integer codecs and UTF-8 helpers. */
final class Bytes {
    /** Slot values above this are clamped: no honest counter gets there, and sums cannot overflow. */
    static final long MAX_SLOT = 1L << 48;

    private Bytes() {}

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        putLong(b, 0, v);
        return b;
    }

    /** Decodes an unsigned 64-bit big-endian slot value; {@code null} or malformed is 0, huge is clamped. */
    static long slotValue(byte @Nullable [] b) {
        if (b == null || b.length != 8) {
            return 0;
        }
        long v = getLong(b, 0);
        return v < 0 || v > MAX_SLOT ? MAX_SLOT : v;
    }

    static long u64(byte @Nullable [] b) {
        return b == null || b.length < 8 ? 0 : getLong(b, 0);
    }

    static long[] longs(byte @Nullable [] b, int n) {
        long[] out = new long[n];
        if (b != null && b.length == 8 * n) {
            for (int i = 0; i < n; i++) {
                out[i] = getLong(b, 8 * i);
            }
        }
        return out;
    }

    static byte[] longs(long... v) {
        byte[] b = new byte[8 * v.length];
        for (int i = 0; i < v.length; i++) {
            putLong(b, 8 * i, v[i]);
        }
        return b;
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
