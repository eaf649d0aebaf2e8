package io.warpstats.p2p;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.identify.IdentifyMessage;
import io.warpstats.p2p.multistream.Multistream;
import io.warpstats.p2p.proto.Proto;
import io.warpstats.p2p.yamux.YamuxHeader;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Every wire decoder is total on arbitrary input and inverts its encoder. */
class DecoderPropertiesTest {

    @Property(tries = 2000)
    void multistreamDecoderIsTotal(@ForAll @Size(max = 64) byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            String s = Multistream.decode(in, 32);
            if (s == null) assertThat(in.readerIndex()).isZero();
            else assertThat(s.length()).isLessThan(32);
        } catch (ProtocolViolationException expected) {
            // rejected
        }
    }

    @Property(tries = 1000)
    void multistreamRoundTrips(@ForAll("protocolIds") String id) throws Exception {
        byte[] enc = Multistream.encode(id);
        ByteBuf in = Unpooled.wrappedBuffer(enc, enc);
        assertThat(Multistream.decode(in, 1024)).isEqualTo(id);
        assertThat(Multistream.decode(in, 1024)).isEqualTo(id);
        assertThat(Multistream.decode(in, 1024)).isNull();
        // every strict prefix is "incomplete", never an error
        for (int i = 0; i < enc.length; i++) assertThat(Multistream.decode(Unpooled.wrappedBuffer(enc, 0, i), 1024)).isNull();
    }

    @Provide
    Arbitrary<String> protocolIds() {
        return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(200);
    }

    @Property(tries = 2000)
    void yamuxHeaderDecoderIsTotal(@ForAll @Size(12) byte[] bytes) {
        try {
            YamuxHeader h = YamuxHeader.decode(Unpooled.wrappedBuffer(bytes));
            ByteBuf out = Unpooled.buffer();
            h.encode(out);
            assertThat(out.array()).startsWith(bytes);
        } catch (ProtocolViolationException expected) {
            assertThat(bytes[0] != 0 || (bytes[1] & 0xFF) > 3).isTrue();
        }
    }

    @Property(tries = 1000)
    void yamuxHeaderRoundTrips(@ForAll @IntRange(max = 3) int type, @ForAll @IntRange(max = 15) int flags,
                               @ForAll int id, @ForAll @IntRange(min = 0) int length) throws Exception {
        ByteBuf b = Unpooled.buffer();
        new YamuxHeader(type, flags, id, length).encode(b);
        assertThat(b.readableBytes()).isEqualTo(12);
        assertThat(YamuxHeader.decode(b)).isEqualTo(new YamuxHeader(type, flags, id, length));
    }

    @Property(tries = 2000)
    void protobufAndIdentifyDecodersAreTotal(@ForAll @Size(max = 200) byte[] bytes) {
        try {
            Proto.decode(bytes, 100);
        } catch (IllegalArgumentException expected) {
            // rejected
        }
        try {
            IdentifyMessage.decode(bytes);
        } catch (IllegalArgumentException expected) {
            // rejected
        }
    }

    @Property(tries = 300)
    void identifyRoundTrips(@ForAll @Size(max = 10) List<@StringLength(min = 1, max = 30) String> protocols,
                            @ForAll @StringLength(max = 40) String agent) {
        IdentifyInfo info = new IdentifyInfo(Optional.of(PrivateKey.fromSeed(new byte[32]).publicKey()), "ipfs/0.1.0", agent,
                List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/1")), Optional.of(Multiaddr.parse("/ip6/::1/tcp/2")), protocols);
        assertThat(IdentifyMessage.decode(IdentifyMessage.encode(info))).isEqualTo(info);
    }
}
