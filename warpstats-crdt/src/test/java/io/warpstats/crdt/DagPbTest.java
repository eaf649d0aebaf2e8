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

    /** The flush's one-pass signing gives the bytes of sign-then-serialize for every shape of delta. */
    @Test
    void signingSerializesOnceToTheSameBytes() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(42);
        DeltaSigner signer = EngineTest.signer("alice");
        for (int n = 0; n < 300; n++) {
            java.util.List<Element> elems = new java.util.ArrayList<>(), tombs = new java.util.ArrayList<>();
            for (int i = rnd.nextInt(12); i > 0; i--) elems.add(Element.of("/k" + rnd.nextInt(1000), bytes(rnd, rnd.nextInt(40))));
            for (int i = rnd.nextInt(4); i > 0; i--) tombs.add(Element.tombstone("/t" + i, "id" + rnd.nextInt(99)));
            java.util.List<CheckpointPart.Restated> restated = new java.util.ArrayList<>();
            for (int i = rnd.nextInt(5); i > 0; i--) restated.add(new CheckpointPart.Restated("/r" + i, "id" + i, rnd.nextLong(1, 1000), bytes(rnd, i)));
            CheckpointPart part = rnd.nextBoolean() ? new CheckpointPart(1, 1, restated) : null;
            byte[] epoch = rnd.nextBoolean() ? bytes(rnd, 8) : new byte[0];
            Delta d = new Delta(elems, tombs, rnd.nextLong(0, 1_000_000), rnd.nextBoolean() ? "" : "dag", new byte[0], new byte[0], epoch, part);
            List<Cid> links = new java.util.ArrayList<>();
            for (int i = rnd.nextInt(3); i > 0; i--) links.add(Cid.ofDagPb(bytes(rnd, 4)));

            Delta withAuthor = d.withSignature(signer.authorId(), new byte[0]);
            Delta expected = withAuthor.withSignature(signer.authorId(), signer.sign(withAuthor.signingPayload(links)));
            Delta.Signed signed = d.sign(signer, links);
            assertThat(signed.bytes()).as("delta %d", n).isEqualTo(expected.toBytes());
            assertThat(signed.delta().toBytes()).isEqualTo(expected.toBytes());
            assertThat(Block.encode(links, signed.bytes())).isEqualTo(Block.encode(links, expected));
            assertThat(Delta.parse(signed.bytes()).signingPayload(links)).isEqualTo(withAuthor.signingPayload(links));
        }
    }

    private static byte[] bytes(java.util.SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) rnd.nextInt(256);
        return b;
    }
}
