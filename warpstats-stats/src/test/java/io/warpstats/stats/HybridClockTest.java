package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Hybrid logical clocks: monotonic, causal across skewed clocks, totally ordered with the node id as tie-break. */
class HybridClockTest {

    /** A settable physical clock. */
    static final class ManualClock extends Clock {
        final AtomicLong millis;
        ManualClock(long start) { millis = new AtomicLong(start); }
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(millis.get()); }
    }

    @Test
    void ticksIncreaseEvenWhenThePhysicalClockStandsStillOrGoesBack() {
        ManualClock c = new ManualClock(1_000);
        HybridClock h = new HybridClock(c, "a");
        Hlc t1 = h.tick();
        Hlc t2 = h.tick(); // same millisecond
        c.millis.set(500); // the clock went back
        Hlc t3 = h.tick();
        assertThat(t2).isGreaterThan(t1);
        assertThat(t3).isGreaterThan(t2);
        assertThat(t3.wallMillis()).isEqualTo(1_000);
        c.millis.set(2_000);
        assertThat(h.tick()).isEqualTo(new Hlc(2_000, 0, "a"));
    }

    @Test
    void aWriteAfterSeeingANodeWithAClockAheadWinsOverIt() {
        HybridClock fast = new HybridClock(new ManualClock(10_000), "fast"); // 9 s ahead
        HybridClock slow = new HybridClock(new ManualClock(1_000), "slow");
        Hlc seen = fast.tick();
        slow.observe(seen);
        Hlc later = slow.tick();
        assertThat(later).isGreaterThan(seen);
    }

    @Test
    void aTimestampTooFarInTheFutureIsNotObserved() {
        HybridClock h = new HybridClock(new ManualClock(1_000), "a");
        h.observe(new Hlc(1_000 + HybridClock.MAX_DRIFT_MILLIS + 1, 0, "evil"));
        assertThat(h.tick().wallMillis()).isEqualTo(1_000);
    }

    @Test
    void concurrentTicksAreDistinctAndOrdered() throws Exception {
        HybridClock h = new HybridClock(new ManualClock(5), "a");
        ConcurrentLinkedQueue<Hlc> all = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> { for (int i = 0; i < 5_000; i++) all.add(h.tick()); });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) th.join(30_000);
        assertThat(all).hasSize(20_000).doesNotHaveDuplicates();
    }

    @Property(tries = 200)
    void theOrderIsTotalAndTheSameFromEitherSide(@ForAll @LongRange(max = 1_000) long w1, @ForAll @IntRange(max = 3) int l1,
                                                 @ForAll @LongRange(max = 1_000) long w2, @ForAll @IntRange(max = 3) int l2,
                                                 @ForAll boolean sameNode) {
        Hlc a = new Hlc(w1, l1, "a");
        Hlc b = new Hlc(w2, l2, sameNode ? "a" : "b");
        assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
        if (!a.equals(b)) assertThat(a.compareTo(b)).isNotZero();
        assertThat(Hlc.decode(a.encode(), "a")).isEqualTo(a);
    }

    @Test
    void hostileEncodingsNeverWin() {
        assertThat(Hlc.decode(new byte[] {1, 2, 3}, "x")).isEqualTo(Hlc.ZERO);
        assertThat(Hlc.decode(new byte[] {(byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "x")).isEqualTo(Hlc.ZERO);
        assertThat(Hlc.decode(null, "x")).isEqualTo(Hlc.ZERO);
    }
}
