package io.warpstats.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the multiformats decoders on one input: {@link Varint#decode},
 * {@link Multihash#fromBytes}, {@link Cid#fromBytes} on the bytes, {@link Multibase#decode} and
 * {@link Cid#parse} on the bytes read as text. Each either returns a value or throws
 * {@link IllegalArgumentException}; what is accepted encodes back to the input (binary forms are
 * canonical) and a CID survives its printed form.
 */
class CidFuzzer {
    @FuzzTest(maxDuration = "3s")
    void decode(byte[] input) {
        varint(input);
        multihash(input);
        cid(input);
        text(new String(input, StandardCharsets.UTF_8));
    }

    private static void varint(byte[] input) {
        ByteBuffer buf = ByteBuffer.wrap(input);
        try {
            long v = Varint.decode(buf);
            assertThat(v).isNotNegative();
            assertThat(Varint.encode(v)).isEqualTo(Arrays.copyOf(input, buf.position()));
        } catch (IllegalArgumentException rejected) {
            assertThat(buf.position()).isLessThanOrEqualTo(Varint.MAX_BYTES);
        }
    }

    private static void multihash(byte[] input) {
        try {
            Multihash mh = Multihash.fromBytes(input);
            assertThat(mh.toBytes()).isEqualTo(input);
            assertThat(Multihash.fromBytes(mh.toBytes())).isEqualTo(mh);
        } catch (IllegalArgumentException rejected) {
            // documented rejection
        }
    }

    private static void cid(byte[] input) {
        Cid cid;
        try {
            cid = Cid.fromBytes(input);
        } catch (IllegalArgumentException rejected) {
            return;
        }
        assertThat(cid.toBytes()).isEqualTo(input);
        assertThat(Cid.parse(cid.toString())).isEqualTo(cid);
    }

    private static void text(String s) {
        try {
            byte[] data = Multibase.decode(s);
            char prefix = s.charAt(0) == 'z' ? 'z' : 'b';
            assertThat(Multibase.decode(Multibase.encode(prefix, data))).isEqualTo(data);
        } catch (IllegalArgumentException rejected) {
            // documented rejection
        }
        try {
            Cid cid = Cid.parse(s);
            assertThat(Cid.parse(cid.toString())).isEqualTo(cid);
        } catch (IllegalArgumentException rejected) {
            // documented rejection
        }
    }
}
