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

    private static final long SECOND = 1_000_000_000L;

    /** The sync client's scores with the default parameters on a fake clock. */
    private static PeerScores defaults(AtomicLong now) {
        SyncParams p = SyncParams.defaults();
        return new PeerScores(p.maxScoredPeers(), p.banThreshold(), p.banDuration().toNanos(), p.scoreRecovery().toNanos(), now::get);
    }

    /** Timeouts of an overloaded honest peer: in bursts and spread over hours, it is never banned, only demoted. */
    @Test
    void anHonestPeerThatTimesOutIsNeverBanned() {
        AtomicLong now = new AtomicLong(SECOND);
        PeerScores s = defaults(now);
        PeerId slow = peer(1);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            int burst = rnd.nextInt(1, 9); // up to the engine's 8 fetches timing out together
            for (int j = 0; j < burst; j++) {
                assertThat(s.penalize(slow, Offense.TIMEOUT.points, Offense.TIMEOUT.mayBan)).isFalse();
            }
            assertThat(s.admits(slow)).isTrue();
            assertThat(s.score(slow)).isBetween(s.slowFloor(), 0);
            now.addAndGet(rnd.nextLong(0, 60 * SECOND));
        }
        assertThat(s.bannedCount()).isZero();
        for (int j = 0; j < 1_000; j++) s.penalize(slow, Offense.TIMEOUT.points, false); // no time at all between them
        assertThat(s.score(slow)).as("demoted to half the threshold, not banned").isEqualTo(SyncParams.defaults().banThreshold() / 2);
        assertThat(s.admits(slow)).isTrue();
        now.addAndGet(10 * 60 * SECOND);
        assertThat(s.score(slow)).as("recovered").isZero();
    }

    /** Before scores recovered, 20 timeouts banned a peer for 10 minutes, however far apart they were. */
    @Test
    void timeoutsSpreadOverTimeDoNotAddUp() {
        AtomicLong now = new AtomicLong(SECOND);
        PeerScores s = defaults(now);
        for (int i = 0; i < 1_000; i++) {
            s.penalize(peer(1), Offense.TIMEOUT.points, true); // even counted as an offense that may ban
            now.addAndGet(50 * SECOND); // 5 points regained in 50 s
        }
        assertThat(s.admits(peer(1))).isTrue();
        assertThat(s.score(peer(1))).isZero();
    }

    /** Offenses that may ban, in quick succession, ban exactly as before: two forged blocks, ten refused floods. */
    @Test
    void aForgerAndAFlooderAreBannedWithinTheSameNumberOfOffenses() {
        AtomicLong now = new AtomicLong(SECOND);
        PeerScores s = defaults(now);
        PeerId forger = peer(1);
        assertThat(s.penalize(forger, Offense.REJECTED_BLOCK.points, Offense.REJECTED_BLOCK.mayBan)).isFalse();
        now.addAndGet(5 * SECOND); // the second forged block 5 s later: nothing regained in between
        assertThat(s.penalize(forger, Offense.WRONG_BLOCK.points, Offense.WRONG_BLOCK.mayBan)).isTrue();
        assertThat(s.admits(forger)).isFalse();

        PeerId flooder = peer(2);
        int offenses = 0;
        while (s.admits(flooder) && offenses < 100) {
            s.penalize(flooder, Offense.FLOOD.points, Offense.FLOOD.mayBan);
            offenses++;
            now.addAndGet(SECOND / 10); // at most ten FLOOD charges a second
        }
        assertThat(offenses).isEqualTo(10);
        assertThat(s.bannedCount()).isEqualTo(2);

        PeerId slowForger = peer(3); // timeouts first, to the floor: one forgery then bans it
        for (int i = 0; i < 100; i++) s.penalize(slowForger, Offense.TIMEOUT.points, false);
        assertThat(s.penalize(slowForger, Offense.REJECTED_BLOCK.points, true)).isTrue();

        now.addAndGet(SyncParams.defaults().banDuration().toNanos()); // the bans end: clean scores
        assertThat(s.admits(forger)).isTrue();
        assertThat(s.score(flooder)).isZero();
        assertThat(s.bannedCount()).isZero();
    }

    /** A score regains a point per scoreRecovery, continuously: a new offense does not restart the recovery. */
    @Test
    void scoresRecoverLinearlyTowardsZero() {
        AtomicLong now = new AtomicLong(SECOND);
        PeerScores s = defaults(now);
        long step = SyncParams.defaults().scoreRecovery().toNanos();
        s.penalize(peer(1), 50, true);
        now.addAndGet(25 * step + step / 2);
        assertThat(s.score(peer(1))).isEqualTo(-25);
        s.penalize(peer(1), 10, true); // -35; the half step already elapsed still counts
        now.addAndGet(step / 2);
        assertThat(s.score(peer(1))).isEqualTo(-34);
        now.addAndGet(1000 * step);
        assertThat(s.score(peer(1))).isZero();
        now.addAndGet(-5 * step); // a clock that goes backwards regains nothing and loses nothing
        s.penalize(peer(1), 5, true);
        assertThat(s.score(peer(1))).isEqualTo(-5);

        PeerScores never = new PeerScores(4, -100, 60 * SECOND, now::get); // without recovery, as before
        never.penalize(peer(1), 50);
        now.addAndGet(1000 * step);
        assertThat(never.score(peer(1))).isEqualTo(-50);
    }

    @Test
    void boundIsValidated() {
        assertThatThrownBy(() -> SyncParams.defaults().toBuilder().maxScoredPeers(0).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SyncParams.defaults().maxScoredPeers()).isEqualTo(10_000);
    }
}
