package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.p2p.Connection;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.host.Hosts;
import io.warpstats.replication.PeerPenalty.Offense;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Sync penalties reach the connection gate: a peer that reaches the ban threshold is disconnected and refused until its ban ends. Real hosts on 127.0.0.1, a fake clock for the ban. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PenaltyGateTest {
    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(15, TimeUnit.SECONDS);
    }

    @Test
    void aPeerPenalizedToTheThresholdIsDisconnectedRefusedAndForgivenWhenTheBanEnds() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        try (Host a = Hosts.create(PrivateKey.generate(), HostOptions.defaults());
             Host b = Hosts.create(PrivateKey.generate(), HostOptions.defaults())) {
            await(a.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
            Multiaddr aAddr = a.listenAddresses().get(0).withPeerId(a.peerId());
            PenaltyGate gate = new PenaltyGate(a, -100, Duration.ofMinutes(10), Duration.ZERO, 100, now::get);
            a.setGate(gate);

            Connection c = await(b.dial(aAddr));
            for (int i = 0; i < 100; i++) gate.penalize(b.peerId(), Offense.TIMEOUT, "slow"); // never a ban
            gate.penalize(b.peerId(), Offense.WRONG_BLOCK, "corrupt block");
            assertThat(gate.isBanned(b.peerId())).isFalse();
            assertThat(c.isOpen()).isTrue();

            gate.penalize(b.peerId(), Offense.REJECTED_BLOCK, "forged block"); // -100: banned
            assertThat(gate.isBanned(b.peerId())).isTrue();
            await(c.closeFuture());
            try { // refused: the dial fails, or the connection is closed right after the handshake (a timeout fails the test)
                Connection again = await(b.dial(aAddr));
                await(again.closeFuture());
            } catch (java.util.concurrent.ExecutionException refused) {
                // refused during the upgrade
            }
            assertThat(a.connection(b.peerId())).isEmpty();

            now.addAndGet(Duration.ofMinutes(10).toNanos() + 1); // the ban ends: a clean score
            assertThat(gate.isBanned(b.peerId())).isFalse();
            Connection back = await(b.dial(aAddr));
            assertThat(back.isOpen()).isTrue();
            gate.penalize(b.peerId(), Offense.WRONG_BLOCK, "one more");
            assertThat(gate.isBanned(b.peerId())).isFalse();
        }
    }

    /** A flood of new identities past the bound forgets unbanned peers, never a peer banned now. */
    @Test
    void aFloodOfNewPeersDoesNotLiftABan() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        try (Host a = Hosts.create(PrivateKey.generate(), HostOptions.defaults())) {
            PenaltyGate gate = new PenaltyGate(a, -100, Duration.ofMinutes(10), Duration.ZERO, 3, now::get);
            PeerId banned = PeerId.fromPublicKey(PrivateKey.generate().publicKey());
            gate.penalize(banned, Offense.REJECTED_BLOCK, "forged block");
            gate.penalize(banned, Offense.REJECTED_BLOCK, "forged block"); // -100: banned
            assertThat(gate.isBanned(banned)).isTrue();
            for (int i = 0; i < 50; i++) {
                gate.penalize(PeerId.fromPublicKey(PrivateKey.generate().publicKey()), Offense.WRONG_BLOCK, "flood " + i);
            }
            assertThat(gate.isBanned(banned)).as("still banned after 50 new peers past a bound of 3").isTrue();
            assertThat(gate.size()).isLessThanOrEqualTo(3);
        }
    }

    /** With recovery, offenses far apart never add up to a ban; two in quick succession still do. */
    @Test
    void scoresRecoverSoOnlyOffensesCloseTogetherBan() throws Exception {
        AtomicLong now = new AtomicLong(1_000);
        try (Host a = Hosts.create(PrivateKey.generate(), HostOptions.defaults())) {
            PenaltyGate gate = new PenaltyGate(a, -100, Duration.ofMinutes(10), Duration.ofSeconds(10), 100, now::get);
            PeerId slowCorrupt = PeerId.fromPublicKey(PrivateKey.generate().publicKey());
            for (int i = 0; i < 20; i++) { // a bad block a day for 20 days: -50 each, fully recovered in 500 s
                gate.penalize(slowCorrupt, Offense.REJECTED_BLOCK, "bad block " + i);
                assertThat(gate.isBanned(slowCorrupt)).as("day %d", i).isFalse();
                now.addAndGet(Duration.ofDays(1).toNanos());
                assertThat(gate.score(slowCorrupt)).isZero();
            }
            PeerId forger = PeerId.fromPublicKey(PrivateKey.generate().publicKey());
            gate.penalize(forger, Offense.REJECTED_BLOCK, "forged block");
            now.addAndGet(Duration.ofSeconds(30).toNanos()); // 3 points back: -47
            assertThat(gate.score(forger)).isEqualTo(-47);
            gate.penalize(forger, Offense.REJECTED_BLOCK, "forged block"); // -97: not yet
            gate.penalize(forger, Offense.MALFORMED, "bad frame");
            assertThat(gate.isBanned(forger)).isTrue();
            assertThat(gate.bans()).isEqualTo(1);
        }
    }
}
