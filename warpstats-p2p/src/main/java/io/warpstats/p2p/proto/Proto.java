package io.warpstats.p2p.proto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A minimal protobuf (proto3 wire format) writer and a bounded, total reader, enough for the
 * small libp2p messages (Noise payload, identify, gossipsub RPC). The reader never allocates
 * more than its input and rejects malformed input with {@link IllegalArgumentException}.
 */
public final class Proto {
    private Proto() {}

    /** One decoded field: its number, wire type and value ({@code varint} for a VARINT field, whose {@code bytes} is null; {@code bytes} otherwise). */
    public record Field(int number, int wireType, long varint, byte @Nullable [] bytes) {
        /** The value of a LEN field as UTF-8; rejects invalid UTF-8. */
        public String string() {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("invalid UTF-8 in field " + number);
            }
        }
    }

    /** Decodes every field of {@code msg} (at most {@code maxFields}); unknown wire types are rejected. */
    public static List<Field> decode(byte[] msg, int maxFields) {
        List<Field> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < msg.length) {
            if (out.size() >= maxFields) throw new IllegalArgumentException("too many protobuf fields");
            long tag = readVarint(msg, pos);
            int number = (int) (tag >>> 3), wt = (int) (tag & 7);
            if (number <= 0 || tag >>> 3 > 536_870_911L) throw new IllegalArgumentException("bad field number");
            switch (wt) {
                case 0 -> out.add(new Field(number, 0, readVarint(msg, pos), null));
                case 1, 5 -> {
                    int n = wt == 1 ? 8 : 4;
                    if (msg.length - pos[0] < n) throw new IllegalArgumentException("truncated fixed field");
                    byte[] b = java.util.Arrays.copyOfRange(msg, pos[0], pos[0] + n);
                    pos[0] += n;
                    out.add(new Field(number, wt, 0, b));
                }
                case 2 -> {
                    long len = readVarint(msg, pos);
                    if (len > msg.length - pos[0]) throw new IllegalArgumentException("truncated length-delimited field");
                    byte[] b = java.util.Arrays.copyOfRange(msg, pos[0], pos[0] + (int) len);
                    pos[0] += (int) len;
                    out.add(new Field(number, 2, 0, b));
                }
                default -> throw new IllegalArgumentException("unsupported wire type " + wt);
            }
        }
        return out;
    }

    static long readVarint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) throw new IllegalArgumentException("truncated varint");
            int x = b[pos[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return v;
        }
        throw new IllegalArgumentException("varint too long");
    }

    /** An append-only message writer. */
    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Writer bytes(int field, byte[] value) {
            varint((long) field << 3 | 2);
            varint(value.length);
            out.writeBytes(value);
            return this;
        }

        public Writer string(int field, String value) { return bytes(field, value.getBytes(StandardCharsets.UTF_8)); }

        public Writer uint(int field, long value) {
            varint((long) field << 3);
            varint(value);
            return this;
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        public byte[] toByteArray() { return out.toByteArray(); }
    }
}
