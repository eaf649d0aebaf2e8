package io.warpstats.p2p.host;

import static io.warpstats.p2p.host.TestHosts.addr;
import static io.warpstats.p2p.host.TestHosts.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.p2p.Connection;
import io.warpstats.p2p.ConnectionListener;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.IdentifyInfo;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.Stream;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.echo.Echo;
import io.warpstats.p2p.ping.Ping;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class HostTest {

    @Test
    void javaDialsJavaPingEchoIdentify() {
        try (Host a = TestHosts.listening(); Host b = TestHosts.listening()) {
            Connection c = await(a.dial(addr(b)));
            assertThat(c.remotePeer()).isEqualTo(b.peerId());
            List<Duration> rtts = await(Ping.ping(c, 3));
            assertThat(rtts).hasSize(3);
            assertThat(await(Echo.request(c, "hello"))).isEqualTo("echo:hello");
            IdentifyInfo info = await(c.identified());
            assertThat(info.protocols()).contains(Echo.PROTOCOL, Ping.PROTOCOL, "/ipfs/id/1.0.0");
            assertThat(info.publicKey()).contains(b.privateKey().publicKey());
            // the other side identified us too
            Connection back = await(CompletableFuture.supplyAsync(() -> b.connection(a.peerId())).thenApply(o -> o.orElseThrow()));
            assertThat(await(back.identified()).protocols()).contains(Echo.PROTOCOL);
            // and streams opened the other way work
            assertThat(await(Echo.request(back, "back"))).isEqualTo("echo:back");
        }
    }

    @Test
    void dialWithWrongPeerIdFails() {
        try (Host a = TestHosts.listening(); Host b = TestHosts.listening()) {
            Multiaddr wrong = b.listenAddresses().get(0).withPeerId(io.warpstats.p2p.PeerId.fromPublicKey(PrivateKey.generate().publicKey()));
            assertThatThrownBy(() -> a.dial(wrong).get(10, TimeUnit.SECONDS)).hasMessageContaining("dialed");
            assertThat(await(Echo.request(await(a.dial(addr(b))), "still fine"))).isEqualTo("echo:still fine");
        }
    }

    @Test
    void unknownProtocolFallsBackToNextProposal() {
        try (Host a = TestHosts.listening(); Host b = TestHosts.listening()) {
            Stream s = await(a.newStream(addr(b), List.of("/nope/1.0.0", "/nope/2.0.0", Echo.PROTOCOL)));
            assertThat(s.protocol()).isEqualTo(Echo.PROTOCOL);
            assertThat(await(Echo.request(s, "x"))).isEqualTo("echo:x");
            assertThatThrownBy(() -> a.newStream(b.peerId(), List.of("/nope/1.0.0")).get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("none of");
        }
    }

    @Test
    void gateClosesAndRefusesConnections() {
        try (Host a = TestHosts.listening(); Host b = TestHosts.listening()) {
            CompletableFuture<Connection> gone = new CompletableFuture<>();
            a.addConnectionListener(new ConnectionListener() {
                @Override public void disconnected(Connection c) { gone.complete(c); }
            });
            await(a.dial(addr(b)));
            a.setGate((peer, remote, inbound) -> peer == null || !peer.equals(b.peerId()));
            assertThat(await(gone).remotePeer()).isEqualTo(b.peerId());
            assertThatThrownBy(() -> a.dial(addr(b)).get(10, TimeUnit.SECONDS)).hasMessageContaining("gate");
            a.setGate(io.warpstats.p2p.ConnectionGate.OPEN);
            assertThat(await(Echo.request(await(a.dial(addr(b))), "healed"))).isEqualTo("echo:healed");
        }
    }

    @Test
    void messagesLargerThanTheWindowFlowThrough() {
        try (Host a = TestHosts.listening(); Host b = TestHosts.listening()) {
            b.setHandler("/test/big/1.0.0", s -> s.readMessage(4 << 20).thenAccept(m -> {
                s.writeMessage(m);
                s.close();
            }));
            Stream s = await(a.newStream(addr(b), List.of("/test/big/1.0.0")));
            byte[] big = new byte[3 << 20];
            new java.util.Random(7).nextBytes(big);
            s.writeMessage(big);
            assertThat(await(s.readMessage(4 << 20))).isEqualTo(big);
            // a message above the reader's limit resets the stream instead of buffering it
            Stream t = await(a.newStream(b.peerId(), List.of("/test/big/1.0.0")));
            t.writeMessage(new byte[64]);
            assertThatThrownBy(() -> t.readMessage(16).get(10, TimeUnit.SECONDS)).hasMessageContaining("exceeds");
        }
    }

    @Test
    void identifyPushAnnouncesNewProtocols() {
        try (Host a = TestHosts.listening(); Host b = TestHosts.listening()) {
            CompletableFuture<IdentifyInfo> pushed = new CompletableFuture<>();
            a.addConnectionListener(new ConnectionListener() {
                @Override public void identified(Connection c, IdentifyInfo info) {
                    if (info.supports("/meshsub/1.1.0")) pushed.complete(info);
                }
            });
            Connection c = await(a.dial(addr(b)));
            assertThat(await(c.identified()).supports("/meshsub/1.1.0")).isFalse();
            b.setHandler("/meshsub/1.1.0", Stream::reset);
            assertThat(await(pushed).protocols()).contains("/meshsub/1.1.0");
            assertThat(a.identifyInfo(b.peerId()).orElseThrow().supports("/meshsub/1.1.0")).isTrue();
        }
    }
}
