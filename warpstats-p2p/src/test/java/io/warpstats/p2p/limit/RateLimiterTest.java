package io.warpstats.p2p.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Token buckets on a fake clock: burst, refill, retry hints, debt, the bound on clients. */
class RateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong clock = new AtomicLong(42 * SECOND);

    @Test
    void aBurstIsAllowedThenTheRateWithARetryHint() {
        RateLimiter<String> l = new RateLimiter<>(Rate.of(2, 5), 10, clock::get);
        for (int i = 0; i < 5; i++) assertThat(l.acquire("a")).as("token %d of the burst", i).isZero();
        long wait = l.acquire("a");
        assertThat(wait).isEqualTo(SECOND / 2); // 2 per second: the next token in half a second
        assertThat(RateLimiter.retryAfterSeconds(wait)).isEqualTo(1);
        clock.addAndGet(SECOND / 2 - 1);
        assertThat(l.acquire("a")).isEqualTo(1);
        clock.addAndGet(1);
        assertThat(l.acquire("a")).isZero();
        assertThat(l.acquire("a")).isPositive();
    }

    @Test
    void clientsHaveTheirOwnBuckets() {
        RateLimiter<String> l = new RateLimiter<>(Rate.of(1, 1), 10, clock::get);
        assertThat(l.acquire("a")).isZero();
        assertThat(l.acquire("a")).isPositive();
        assertThat(l.acquire("b")).isZero();
    }

    @Test
    void refillStopsAtTheBurst() {
        RateLimiter<String> l = new RateLimiter<>(Rate.of(10, 3), 10, clock::get);
        assertThat(l.acquire("a", 3)).isZero();
        clock.addAndGet(3600 * SECOND);
        assertThat(l.tokens("a")).isEqualTo(3.0);
        assertThat(l.acquire("a", 3)).isZero();
        assertThat(l.acquire("a")).isEqualTo(SECOND / 10);
    }

    @Test
    void aCostAboveTheBurstWaitsAsIfTheBucketFilledUpToIt() {
        RateLimiter<String> l = new RateLimiter<>(Rate.of(1, 2), 10, clock::get);
        assertThat(l.acquire("a", 5)).isEqualTo(3 * SECOND);
        assertThat(l.tokens("a")).as("nothing taken").isEqualTo(2.0);
    }

    @Test
    void chargedCostsGoIntoDebtAndRefuseUntilRepaid() {
        RateLimiter<String> l = new RateLimiter<>(Rate.of(100, 100), 10, clock::get);
        assertThat(l.charge("a", 350)).isZero(); // allowed: the bucket was not in debt
        assertThat(l.tokens("a")).isEqualTo(-250.0);
        assertThat(l.debt("a")).isEqualTo(2_500_000_000L);
        assertThat(l.charge("a", 10)).as("refused while in debt, nothing charged").isEqualTo(2_500_000_000L);
        clock.addAndGet(2_500_000_000L);
        assertThat(l.debt("a")).isZero();
        assertThat(l.charge("a", 10)).isZero();
        assertThat(l.debt("unknown")).isZero();
    }

    @Test
    void aFloodOfClientIdsKeepsAtMostTheBound() {
        RateLimiter<Integer> l = new RateLimiter<>(Rate.of(1, 1), 100, clock::get);
        for (int i = 0; i < 10_000; i++) l.acquire(i);
        assertThat(l.size()).isEqualTo(100);
        // the most recent ones are remembered (still empty), the oldest forgotten (full again)
        assertThat(l.acquire(9_999)).isPositive();
        assertThat(l.acquire(0)).isZero();
    }

    @Test
    void recentlyUsedClientsSurviveAFlood() {
        RateLimiter<String> l = new RateLimiter<>(Rate.of(1, 1), 3, clock::get);
        assertThat(l.acquire("abuser")).isZero();
        l.acquire("x");
        l.acquire("abuser"); // used again: most recent
        l.acquire("y");
        assertThat(l.acquire("abuser")).as("still remembered, still empty").isPositive();
    }

    @Test
    void offAllowsEverythingAndRemembersNothing() {
        RateLimiter<String> l = new RateLimiter<>(Rate.OFF, 1, clock::get);
        for (int i = 0; i < 1000; i++) assertThat(l.acquire("a" + i, 1e9)).isZero();
        assertThat(l.charge("a", 1e12)).isZero();
        assertThat(l.size()).isZero();
    }

    @Test
    void aClockSteppingBackAddsNothing() {
        RateLimiter<String> l = new RateLimiter<>(Rate.of(1, 1), 10, clock::get);
        assertThat(l.acquire("a")).isZero();
        clock.addAndGet(-100 * SECOND);
        assertThat(l.acquire("a")).isPositive();
    }

    @Test
    void invalidRatesAreRefused() {
        assertThatThrownBy(() -> Rate.of(-1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rate.of(1, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rate.of(Double.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rate.of(Double.POSITIVE_INFINITY, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Rate.of(2, 3).times(4)).isEqualTo(Rate.of(8, 12));
        assertThat(Rate.OFF.times(4)).isEqualTo(Rate.OFF);
        assertThatThrownBy(() -> new RateLimiter<>(Rate.of(1, 1), 0, clock::get)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retryAfterIsInWholeSecondsAtLeastOne() {
        assertThat(RateLimiter.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(RateLimiter.retryAfterSeconds(SECOND)).isEqualTo(1);
        assertThat(RateLimiter.retryAfterSeconds(SECOND + 1)).isEqualTo(2);
    }
}
