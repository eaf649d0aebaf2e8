package io.warpstats.p2p.host;

import static io.warpstats.p2p.testing.TestHosts.addr;
import static io.warpstats.p2p.testing.TestHosts.await;
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
import io.warpstats.p2p.testing.TestHosts;
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
    void trafficCountsRawBytesBothWays() throws Exception {
        try (Host a = TestHosts.listening(); Host b = TestHosts.listening()) {
            assertThat(a.traffic()).isEqualTo(new io.warpstats.p2p.Traffic(0, 0));
            Connection c = await(a.dial(addr(b)));
            await(c.identified());
            assertThat(await(Echo.request(c, "x".repeat(10_000)))).hasSize(10_005);
            // every byte one host writes is read by the other (bounded wait for in-flight frames)
            for (int i = 0; i < 100 && (a.traffic().bytesOut() != b.traffic().bytesIn()
                    || b.traffic().bytesOut() != a.traffic().bytesIn()); i++) {
                Thread.sleep(20);
            }
            assertThat(a.traffic().bytesOut()).isEqualTo(b.traffic().bytesIn()).isGreaterThan(10_000);
            assertThat(b.traffic().bytesOut()).isEqualTo(a.traffic().bytesIn()).isGreaterThan(10_000);
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
    void aGateThatRefusesAPeerDuringItsUpgradeIsHonouredWhenTheConnectionIsRegistered() {
        try (Host a = TestHosts.listening(); Host b = TestHosts.listening()) {
            // The listener's gate allows b when the upgrade asks (after the Noise handshake) and refuses it from then
            // on: a ban that lands between the upgrade's check and the connection's registration.
            java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            a.setGate((peer, remote, inbound) -> peer == null || !peer.equals(b.peerId()) || asked.getAndIncrement() == 0);
            Connection atB = await(b.dial(addr(a)));
            await(atB.closeFuture());
            assertThat(a.connections()).noneMatch(c -> c.remotePeer().equals(b.peerId()));
            assertThat(asked.get()).isGreaterThanOrEqualTo(2);
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
