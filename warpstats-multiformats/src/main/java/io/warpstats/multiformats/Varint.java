package io.warpstats.multiformats;

import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 varints as used by multiformats (multicodec, multihash, CID) and by
 * length-prefixed libp2p framing.
 *
 * <p>Guarantees: {@link #decode} accepts only the canonical (minimal) encoding of values up to
 * 2<sup>63</sup>-1 in at most 9 bytes, as the multiformats unsigned-varint spec requires; any
 * other input is rejected with {@link IllegalArgumentException}, never read past the buffer.
 */
public final class Varint {
    /** Longest encoding accepted (multiformats caps varints at 9 bytes, i.e. 63 bits). */
    public static final int MAX_BYTES = 9;

    private Varint() {}

    /** Number of bytes {@code value} takes when encoded. */
    public static int size(long value) {
        if (value < 0) throw new IllegalArgumentException("varint must be non-negative: " + value);
        int n = 1;
        while ((value >>>= 7) != 0) n++;
        return n;
    }

    /** Encodes {@code value} into a new array. */
    public static byte[] encode(long value) {
        byte[] out = new byte[size(value)];
        write(value, out, 0);
        return out;
    }

    /** Writes {@code value} at {@code offset}; returns the offset just after it. */
    public static int write(long value, byte[] out, int offset) {
        if (value < 0) throw new IllegalArgumentException("varint must be non-negative: " + value);
        while ((value & ~0x7FL) != 0) {
            out[offset++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[offset++] = (byte) value;
        return offset;
    }

    /** Writes {@code value} into {@code buf} at its position. */
    public static void write(long value, ByteBuffer buf) {
        if (value < 0) throw new IllegalArgumentException("varint must be non-negative: " + value);
        while ((value & ~0x7FL) != 0) {
            buf.put((byte) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        buf.put((byte) value);
    }

    /**
     * Decodes a varint from {@code buf} at its position, advancing it.
     *
     * @throws IllegalArgumentException if truncated, longer than {@link #MAX_BYTES} or not minimal
     */
    public static long decode(ByteBuffer buf) {
        long value = 0;
        for (int i = 0; i < MAX_BYTES; i++) {
            if (!buf.hasRemaining()) throw new IllegalArgumentException("truncated varint");
            int b = buf.get() & 0xFF;
            value |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) throw new IllegalArgumentException("non-minimal varint");
                return value;
            }
        }
        throw new IllegalArgumentException("varint longer than " + MAX_BYTES + " bytes");
    }

    /** Decodes a varint from {@code bytes} starting at {@code offset}; see {@link #decode(ByteBuffer)}. */
    public static long decode(byte[] bytes, int offset) {
        return decode(ByteBuffer.wrap(bytes, offset, bytes.length - offset));
    }
}
