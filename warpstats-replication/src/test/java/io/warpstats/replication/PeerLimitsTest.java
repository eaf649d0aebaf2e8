package io.warpstats.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.limit.Rate;
import io.warpstats.replication.PeerLimits.Verdict;
import io.warpstats.replication.PeerPenalty.Offense;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The soft and hard budgets per peer on a fake clock, fed into a real {@link PeerScores} with the default ban
 * threshold: an honest burst that brushes the limit costs a point or two and is never banned; sustained excess
 * and a flood are.
 */
class PeerLimitsTest {
    private static final long MS = 1_000_000L;
    private final AtomicLong clock = new AtomicLong(1_000_000 * MS);
    private final SyncParams params = SyncParams.defaults().toBuilder().requestRate(Rate.of(10, 20)).hardLimitFactor(4).build();
    private final PeerScores scores = new PeerScores(100, params.banThreshold(), params.banDuration().toNanos(), clock::get);
    private final PeerLimits limits = new PeerLimits("sync requests", params.requestRate(), params,
            (peer, o, d) -> scores.penalize(peer, o.points), clock::get);
    private final PeerId peer = PeerId.fromPublicKey(PrivateKey.fromSeed(new byte[32]).publicKey());
    private final PeerId other = PeerId.fromPublicKey(PrivateKey.fromSeed(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}).publicKey());

    @Test
    void anHonestBurstIsSlowedAndBarelyCharged() {
        int allowed = 0, slowed = 0;
        // 100 requests in 2 s (a catch-up after a reconnect: 5 times the rate), then below the rate for a minute and a half
        for (int i = 0; i < 100; i++) {
            Verdict v = limits.take(peer, true);
            if (v == Verdict.ALLOW) allowed++;
            if (v == Verdict.SLOW) slowed++;
            assertThat(v).isNotEqualTo(Verdict.REFUSE);
            clock.addAndGet(20 * MS);
        }
        assertThat(allowed).isBetween(20, 45); // the burst and the rate over 2 s
        assertThat(slowed).isEqualTo(100 - allowed);
        for (int i = 0; i < 600; i++) { // below the rate
            clock.addAndGet(150 * MS);
            assertThat(limits.take(peer, true)).isEqualTo(Verdict.ALLOW);
        }
        assertThat(scores.score(peer)).as("RATE_LIMITED once a second at most").isBetween(-3, -1);
        assertThat(scores.admits(peer)).isTrue();
        assertThat(limits.take(other, true)).as("another peer has its own budget").isEqualTo(Verdict.ALLOW);
    }

    @Test
    void sustainedExcessIsBannedAfterAboutAHundredSeconds() {
        int seconds = 0;
        while (scores.admits(peer) && seconds < 1000) {
            for (int i = 0; i < 20; i++) { // twice the rate: slowed, never refused
                assertThat(limits.take(peer, true)).isNotEqualTo(Verdict.REFUSE);
                clock.addAndGet(50 * MS);
            }
            seconds++;
        }
        assertThat(seconds).isBetween(95, 120);
    }

    @Test
    void aFloodIsRefusedAndBannedWithinTenRefusals() {
        int refused = 0;
        for (int i = 0; i < 1000 && scores.admits(peer); i++) {
            if (limits.take(peer, true) == Verdict.REFUSE) refused++;
        }
        assertThat(scores.admits(peer)).isFalse();
        assertThat(refused).isBetween(9, 10); // FLOOD is 10 points; the RATE_LIMITED point may have come first
        assertThat(limits.refused()).isEqualTo(refused);
        assertThat(limits.slowed()).isEqualTo(60); // hard burst 80 = the soft burst 20 allowed + 60 slowed
    }

    @Test
    void anUnchargeableInputIsLimitedWithoutPenalty() {
        for (int i = 0; i < 500; i++) limits.take(peer, false);
        assertThat(limits.refused()).isPositive();
        assertThat(scores.score(peer)).isZero();
    }

    @Test
    void offLimitsNothing() {
        PeerLimits off = new PeerLimits("x", Rate.OFF, params, (p, o, d) -> scores.penalize(p, o.points), clock::get);
        for (int i = 0; i < 10_000; i++) assertThat(off.take(peer, true)).isEqualTo(Verdict.ALLOW);
        assertThat(Offense.RATE_LIMITED.points).isEqualTo(1);
    }
}
