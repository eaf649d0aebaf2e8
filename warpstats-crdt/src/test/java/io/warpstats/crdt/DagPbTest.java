package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.DagPb;
import io.warpstats.multiformats.Multihash;
import io.warpstats.multiformats.Varint;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DagPbTest {
    @Property(tries = 2000)
    void hostileBytesOnlyEverGiveIllegalArgument(@ForAll @Size(max = 300) byte[] junk) {
        for (Runnable r : List.<Runnable>of(() -> DagPb.decode(junk), () -> Delta.parse(junk),
                () -> CrdtBroadcast.parse(junk), () -> Block.decode(junk), () -> Element.parse(junk))) {
            try {
                r.run();
            } catch (IllegalArgumentException expected) {
                // fine
            }
        }
    }

    @Property(tries = 300)
    void roundTrip(@ForAll @Size(max = 5) List<@Size(max = 40) byte[]> values, @ForAll long priority) {
        Cid l = Cid.ofDagPb(new byte[] {1});
        List<Element> els = values.stream().map(v -> Element.of("/k/" + v.length, v)).toList();
        Delta d = new Delta(els, List.of(Element.tombstone("/x", l.toString())), priority, "dag",
                new byte[] {1, 2}, new byte[] {3});
        byte[] bytes = Block.encode(List.of(l, l), d);
        Block b = Block.decode(bytes);
        assertThat(b.delta()).isEqualTo(d);
        assertThat(b.links()).containsExactly(l, l);
        assertThat(b.toBytes()).isEqualTo(bytes);
        assertThat(DagPb.encode(DagPb.decode(bytes))).isEqualTo(bytes);
    }

    @Test
    void rejectsNonCanonical() {
        Cid l = Cid.ofDagPb(new byte[] {1});
        byte[] link = DagPb.encode(List.of(DagPb.Link.of(l)), null);
        byte[] data = DagPb.encode(List.of(), new byte[] {7});
        byte[] dataThenLink = new byte[data.length + link.length];
        System.arraycopy(data, 0, dataThenLink, 0, data.length);
        System.arraycopy(link, 0, dataThenLink, data.length, link.length);
        assertThatThrownBy(() -> DagPb.decode(dataThenLink)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after Data");
        byte[] twoData = new byte[data.length * 2];
        System.arraycopy(data, 0, twoData, 0, data.length);
        System.arraycopy(data, 0, twoData, data.length, data.length);
        assertThatThrownBy(() -> DagPb.decode(twoData)).hasMessageContaining("duplicate Data");
        assertThatThrownBy(() -> DagPb.decode(new byte[] {0x1a, 0})).hasMessageContaining("unknown field");
        assertThatThrownBy(() -> DagPb.decode(new byte[] {0x12, 0})).hasMessageContaining("without Hash");
        assertThatThrownBy(() -> DagPb.decode(new byte[DagPb.MAX_BLOCK_SIZE + 1])).hasMessageContaining("larger");
        assertThatThrownBy(() -> Block.decodeVerified(l, data)).hasMessageContaining("does not hash");
    }

    @Test
    void signingPayloadCoversLinksAndExcludesSignature() {
        Delta d = new Delta(List.of(Element.of("/a", new byte[] {1})), List.of(), 3, "", new byte[] {9}, new byte[] {8});
        Cid a = Cid.ofDagPb(new byte[] {1}), b = Cid.ofDagPb(new byte[] {2});
        assertThat(d.signingPayload(List.of(a))).isNotEqualTo(d.signingPayload(List.of(b)));
        assertThat(d.signingPayload(List.of(a))).isEqualTo(d.withSignature(new byte[] {9}, new byte[] {7, 7}).signingPayload(List.of(a)));
    }
}
