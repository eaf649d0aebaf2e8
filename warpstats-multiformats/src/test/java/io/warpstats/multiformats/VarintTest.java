package io.warpstats.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class VarintTest {
    @Property
    void roundTrips(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long v) {
        byte[] enc = Varint.encode(v);
        assertThat(enc).hasSize(Varint.size(v));
        assertThat(Varint.decode(enc, 0)).isEqualTo(v);
    }

    @Property
    void decodeNeverThrowsAnythingButIllegalArgument(@ForAll byte[] junk) {
        try {
            Varint.decode(junk, 0);
        } catch (IllegalArgumentException expected) {
            // fine: hostile input gets a clear error
        }
    }

    @Test
    void rejectsNonMinimalAndOverlong() {
        assertThatThrownBy(() -> Varint.decode(new byte[] {(byte) 0x80, 0x00}, 0)).hasMessageContaining("non-minimal");
        assertThatThrownBy(() -> Varint.decode(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01}, 0)).hasMessageContaining("longer");
        assertThatThrownBy(() -> Varint.decode(new byte[] {(byte) 0x80}, 0)).hasMessageContaining("truncated");
    }
}
