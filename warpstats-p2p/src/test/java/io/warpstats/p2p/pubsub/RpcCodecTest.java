package io.warpstats.p2p.pubsub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.p2p.pubsub.Rpc.ControlGraft;
import io.warpstats.p2p.pubsub.Rpc.ControlIHave;
import io.warpstats.p2p.pubsub.Rpc.ControlIDontWant;
import io.warpstats.p2p.pubsub.Rpc.ControlIWant;
import io.warpstats.p2p.pubsub.Rpc.ControlMessage;
import io.warpstats.p2p.pubsub.Rpc.ControlPrune;
import io.warpstats.p2p.pubsub.Rpc.Message;
import io.warpstats.p2p.pubsub.Rpc.PeerInfo;
import io.warpstats.p2p.pubsub.Rpc.SubOpts;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class RpcCodecTest {
    private static final RpcCodec.Limits LIMITS = RpcCodec.Limits.of(GossipParams.defaults());

    @Property(tries = 300)
    void roundTrips(@ForAll("rpcs") Rpc rpc) throws Exception {
        byte[] bytes = rpc.encode();
        Rpc decoded = RpcCodec.decode(bytes, LIMITS);
        assertThat(decoded).isEqualTo(rpc);
        assertThat(decoded.encode()).isEqualTo(bytes);
    }

    @Property(tries = 1000)
    void arbitraryBytesNeverCrash(@ForAll byte[] junk) {
        try {
            RpcCodec.decode(junk, LIMITS);
        } catch (MalformedRpcException expected) {
            // fine: the only failure allowed
        }
    }

    @Property(tries = 300)
    void everyTruncationIsRejectedOrDecodes(@ForAll("rpcs") Rpc rpc, @ForAll("cut") int cut) {
        byte[] bytes = rpc.encode();
        if (bytes.length == 0) return;
        byte[] truncated = java.util.Arrays.copyOf(bytes, cut % bytes.length);
        try {
            RpcCodec.decode(truncated, LIMITS);
        } catch (MalformedRpcException expected) {
            // fine
        }
    }

    @Provide
    Arbitrary<Integer> cut() { return Arbitraries.integers().between(0, 100_000); }

    @Provide
    Arbitrary<Rpc> rpcs() {
        Arbitrary<String> topics = Arbitraries.strings().ofMaxLength(20);
        Arbitrary<byte[]> blobs = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        Arbitrary<byte[]> optBlobs = blobs.injectNull(0.3);
        Arbitrary<MessageId> ids = Arbitraries.bytes().array(byte[].class).ofMaxSize(50).map(MessageId::of);
        Arbitrary<SubOpts> subs = Combinators.combine(Arbitraries.of(true, false), topics).as(SubOpts::new);
        Arbitrary<Message> msgs = Combinators.combine(optBlobs, optBlobs, optBlobs, topics.injectNull(0.1), optBlobs, optBlobs)
                .as(Message::new);
        Arbitrary<ControlIHave> ihave = Combinators.combine(topics, ids.list().ofMaxSize(5)).as(ControlIHave::new);
        Arbitrary<ControlIWant> iwant = ids.list().ofMaxSize(5).map(ControlIWant::new);
        Arbitrary<ControlGraft> graft = topics.map(ControlGraft::new);
        Arbitrary<PeerInfo> px = Combinators.combine(optBlobs, optBlobs).as(PeerInfo::new);
        Arbitrary<ControlPrune> prune = Combinators.combine(topics, px.list().ofMaxSize(3),
                Arbitraries.longs().injectNull(0.4)).as(ControlPrune::new);
        Arbitrary<ControlIDontWant> idontwant = ids.list().ofMaxSize(5).map(ControlIDontWant::new);
        Arbitrary<ControlMessage> control = Combinators.combine(ihave.list().ofMaxSize(3), iwant.list().ofMaxSize(3),
                graft.list().ofMaxSize(3), prune.list().ofMaxSize(3), idontwant.list().ofMaxSize(3))
                .as(ControlMessage::new).injectNull(0.3);
        return Combinators.combine(subs.list().ofMaxSize(4), msgs.list().ofMaxSize(4), control).as(Rpc::new);
    }

    @Test
    void knownEncoding() throws Exception {
        Rpc rpc = new Rpc(List.of(new SubOpts(true, "a")), List.of(), new ControlMessage(List.of(), List.of(),
                List.of(new ControlGraft("a")), List.of(new ControlPrune("a", List.of(), 60L))));
        // 0a 05 (08 01 12 01 61)  1a 0c (1a 03 (0a 01 61) 22 05 (0a 01 61 18 3c))
        assertThat(HexFormat.of().formatHex(rpc.encode())).isEqualTo("0a050801120161" + "1a0c" + "1a030a0161" + "22050a0161183c");
        assertThat(RpcCodec.decode(rpc.encode(), LIMITS)).isEqualTo(rpc);
    }

    @Test
    void limitsAreEnforced() {
        RpcCodec.Limits small = new RpcCodec.Limits(1 << 20, 2, 2, 3, 4, 8, 16, 2);
        Rpc manySubs = Rpc.ofSubscriptions(List.of(new SubOpts(true, "a"), new SubOpts(true, "b"), new SubOpts(true, "c")));
        assertThatThrownBy(() -> RpcCodec.decode(manySubs.encode(), small)).isInstanceOf(MalformedRpcException.class);
        Rpc longTopic = Rpc.ofSubscriptions(List.of(new SubOpts(true, "0123456789")));
        assertThatThrownBy(() -> RpcCodec.decode(longTopic.encode(), small)).isInstanceOf(MalformedRpcException.class);
        Rpc manyIds = Rpc.ofControl(new ControlMessage(List.of(), List.of(new ControlIWant(List.of(
                MessageId.of(new byte[1]), MessageId.of(new byte[2]), MessageId.of(new byte[3]), MessageId.of(new byte[4]),
                MessageId.of(new byte[5])))), List.of(), List.of()));
        assertThatThrownBy(() -> RpcCodec.decode(manyIds.encode(), small)).isInstanceOf(MalformedRpcException.class);
        Rpc manyDontWants = Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(), List.of(), List.of(
                new ControlIDontWant(List.of(MessageId.of(new byte[1]), MessageId.of(new byte[2]), MessageId.of(new byte[3]))),
                new ControlIDontWant(List.of(MessageId.of(new byte[4]), MessageId.of(new byte[5]))))));
        assertThatThrownBy(() -> RpcCodec.decode(manyDontWants.encode(), small)).as("IDONTWANT ids count")
                .isInstanceOf(MalformedRpcException.class);
        Rpc manyEntries = Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(new ControlGraft("a")), List.of(),
                List.of(new ControlIDontWant(List.of()), new ControlIDontWant(List.of()), new ControlIDontWant(List.of()))));
        assertThatThrownBy(() -> RpcCodec.decode(manyEntries.encode(), small)).as("IDONTWANT entries count")
                .isInstanceOf(MalformedRpcException.class);
        assertThatThrownBy(() -> RpcCodec.decode(new byte[2 << 20], LIMITS)).isInstanceOf(MalformedRpcException.class);
    }

    @Test
    void idontwantHasTheEncodingOfTheV12Spec() throws Exception {
        // ControlMessage field 5 = ControlIDontWant{repeated bytes messageIDs = 1}
        Rpc rpc = Rpc.ofControl(new ControlMessage(List.of(), List.of(), List.of(), List.of(),
                List.of(new ControlIDontWant(List.of(MessageId.of(new byte[] {7, 8}))))));
        assertThat(HexFormat.of().formatHex(rpc.encode())).isEqualTo("1a06" + "2a04" + "0a020708");
        assertThat(RpcCodec.decode(rpc.encode(), LIMITS)).isEqualTo(rpc);
    }

    @Test
    void hostileShapesAreRejected() {
        // a length prefix claiming 2 GiB; a group wire type; a string field with wire type varint; invalid UTF-8
        for (String hex : List.of("12ffffffff07", "0b", "0a021001", "0a03120180", "1a0222ff")) {
            assertThatThrownBy(() -> RpcCodec.decode(HexFormat.of().parseHex(hex), LIMITS))
                    .as(hex).isInstanceOf(MalformedRpcException.class);
        }
    }

    @Test
    void unknownFieldsAreSkipped() throws Exception {
        byte[] bytes = HexFormat.of().parseHex("2801" + "0a050801120161" + "3a00");
        assertThat(RpcCodec.decode(bytes, LIMITS).subscriptions()).containsExactly(new SubOpts(true, "a"));
    }
}
