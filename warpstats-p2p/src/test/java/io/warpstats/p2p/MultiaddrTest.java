package io.warpstats.p2p;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.p2p.crypto.PrivateKey;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MultiaddrTest {
    private static final String PEER = PeerId.fromPublicKey(PrivateKey.fromSeed(new byte[32]).publicKey()).toString();

    @Test
    void parsesAndPrintsEveryProtocol() {
        for (String s : new String[] {"/ip4/127.0.0.1/tcp/4001", "/ip6/::1/tcp/0", "/ip6/fe80::1:2/tcp/65535",
                "/dns4/example.com/tcp/443/p2p/" + PEER, "/dns6/a-b.example/tcp/1", "/dns/x.y/tcp/2", "/p2p/" + PEER}) {
            Multiaddr m = Multiaddr.parse(s);
            assertThat(m.toString()).isEqualTo(s);
            assertThat(Multiaddr.fromBytes(m.toBytes())).isEqualTo(m);
        }
        Multiaddr m = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + PEER);
        assertThat(m.peerId()).map(PeerId::toString).contains(PEER);
        assertThat(m.tcpAddress().orElseThrow().getPort()).isEqualTo(4001);
        assertThat(m.withoutPeerId().toString()).isEqualTo("/ip4/127.0.0.1/tcp/4001");
        // the binary form of /ip4/127.0.0.1/tcp/4001 (multiformats test vector)
        assertThat(java.util.HexFormat.of().formatHex(m.withoutPeerId().toBytes())).isEqualTo("047f000001060fa1");
        assertThat(Multiaddr.parse("/ipfs/" + PEER).toString()).isEqualTo("/p2p/" + PEER);
    }

    @Test
    void rejectsMalformedText() {
        for (String s : new String[] {"", "ip4/1.2.3.4", "/ip4/1.2.3", "/ip4/256.1.1.1/tcp/1", "/ip4/1.2.3.4/tcp/65536",
                "/ip4/1.2.3.4/tcp", "/udp/53", "/ip6/1.2.3.4", "/dns4/bad name/tcp/1", "/p2p/notapeer", "/tcp/-1",
                "/ip4/01.2.3.4x/tcp/1"}) {
            assertThatThrownBy(() -> Multiaddr.parse(s)).as(s).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property(tries = 2000)
    void binaryDecoderIsTotal(@ForAll @Size(max = 80) byte[] bytes) {
        try {
            Multiaddr m = Multiaddr.fromBytes(bytes);
            assertThat(Multiaddr.fromBytes(m.toBytes())).isEqualTo(m);
            assertThat(Multiaddr.parse(m.toString())).isEqualTo(m);
        } catch (IllegalArgumentException expected) {
            // rejected with a clear error
        }
    }

    @Property(tries = 2000)
    void textParserIsTotal(@ForAll("texty") String s) {
        try {
            Multiaddr m = Multiaddr.parse(s);
            assertThat(Multiaddr.parse(m.toString())).isEqualTo(m);
        } catch (IllegalArgumentException expected) {
            // rejected
        }
    }

    @Provide
    Arbitrary<String> texty() {
        Arbitrary<String> part = Arbitraries.oneOf(Arbitraries.of("ip4", "ip6", "tcp", "dns4", "dns6", "p2p", "udp", "", "::1", "1.2.3.4", "65535", PEER),
                Arbitraries.strings().ofMaxLength(8));
        return part.list().ofMaxSize(8).map(l -> "/" + String.join("/", l));
    }

    @Property(tries = 500)
    void validAddressesRoundTrip(@ForAll("ip4tcp") Multiaddr m) {
        assertThat(Multiaddr.parse(m.toString())).isEqualTo(m);
        assertThat(Multiaddr.fromBytes(m.toBytes())).isEqualTo(m);
    }

    @Provide
    Arbitrary<Multiaddr> ip4tcp() {
        Arbitrary<Integer> octet = Arbitraries.integers().between(0, 255);
        return Combinators.combine(octet, octet, octet, octet, Arbitraries.integers().between(0, 65535))
                .as((a, b, c, d, p) -> Multiaddr.parse("/ip4/" + a + "." + b + "." + c + "." + d + "/tcp/" + p));
    }
}
