package io.warpstats.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.replication.PeerPenalty.Offense;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The sync client's per-peer scores are bounded: a flood of distinct peer ids is hostile input. */
class PeerScoresTest {
    private static final int BOUND = 64;

    private static PeerId peer(int i) {
        byte[] seed = ByteBuffer.allocate(32).putInt(i).array();
        return PeerId.fromPublicKey(PrivateKey.fromSeed(seed).publicKey());
    }

    private static SyncClientImpl client() {
        SyncParams p = SyncParams.defaults().toBuilder().maxScoredPeers(BOUND).build();
        return new SyncClientImpl(null, p, PeerPenalty.NONE); // scores need no host
    }

    @Test
    void floodOfDistinctPeersStaysBoundedAndTheBannedPeerStaysRefused() {
        SyncClientImpl c = client();
        try {
            PeerId banned = peer(-1);
            c.penalize(banned, Offense.MALFORMED, "test");
            c.penalize(banned, Offense.MALFORMED, "test"); // -100: banned
            assertThat(c.admits(banned)).isFalse();

            for (int i = 0; i < 20 * BOUND; i++) {
                c.penalize(peer(i), Offense.TIMEOUT, "flood");
                assertThat(c.scoredPeers()).isLessThanOrEqualTo(BOUND);
            }
            assertThat(c.scoredPeers()).isEqualTo(BOUND);
            assertThat(c.admits(banned)).as("the oldest entry, but banned: not forgotten").isFalse();
            assertThat(c.score(banned)).isLessThanOrEqualTo(SyncParams.defaults().banThreshold());
            assertThat(c.score(peer(20 * BOUND - 1))).isEqualTo(-Offense.TIMEOUT.points); // the latest are kept
            assertThat(c.score(peer(0))).isZero(); // the oldest unbanned ones are forgotten: a clean score
        } finally {
            c.close();
        }
    }

    @Test
    void floodOfBannedIdentitiesStillBounded() {
        SyncClientImpl c = client();
        try {
            for (int i = 0; i < 4 * BOUND; i++) {
                PeerId p = peer(i);
                c.penalize(p, Offense.WRONG_BLOCK, "flood");
                c.penalize(p, Offense.WRONG_BLOCK, "flood");
                assertThat(c.admits(p)).isFalse();
                assertThat(c.scoredPeers()).isLessThanOrEqualTo(BOUND);
            }
            assertThat(c.admits(peer(4 * BOUND - 1))).isFalse(); // the latest bans are kept
        } finally {
            c.close();
        }
    }

    @Test
    void expiredBansGoFirstAndAreForgiven() {
        AtomicLong now = new AtomicLong(1_000);
        long ban = Duration.ofMinutes(10).toNanos();
        PeerScores s = new PeerScores(3, -100, ban, now::get);
        s.penalize(peer(1), 100); // banned until 1000 + ban
        s.penalize(peer(2), 5);
        s.penalize(peer(3), 5);
        now.addAndGet(ban); // peer 1's ban is over
        s.penalize(peer(4), 5); // full: the expired ban goes, not the older penalties
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.score(peer(1))).isZero();
        assertThat(s.admits(peer(1))).isTrue();
        assertThat(s.score(peer(2))).isEqualTo(-5);
        assertThat(s.score(peer(4))).isEqualTo(-5);

        s.penalize(peer(5), 5); // no ban at all: the peer penalized longest ago goes
        assertThat(s.score(peer(2))).isZero();
        assertThat(s.score(peer(3))).isEqualTo(-5);
        assertThat(s.size()).isEqualTo(3);
    }

    @Test
    void boundIsValidated() {
        assertThatThrownBy(() -> SyncParams.defaults().toBuilder().maxScoredPeers(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SyncParams.defaults().maxScoredPeers()).isEqualTo(10_000);
    }
}
