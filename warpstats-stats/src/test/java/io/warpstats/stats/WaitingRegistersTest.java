package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which keys wait, in which order they leave, and the watermark bound they set. */
class WaitingRegistersTest {
    static final long SECOND = Duration.ofSeconds(1).toNanos();
    final WaitingRegisters w = new WaitingRegisters(Duration.ofSeconds(1), "nodeA", "inc1");

    List<String> release(long now, boolean all, int max) {
        List<String> out = new ArrayList<>();
        w.release(now, all, max, (k, s) -> out.add(k + "@" + s));
        return out;
    }

    @Test
    void onlyThisNodesRegistersOfThisIncarnationWait() {
        assertThat(w.hold(StatsKeys.activity("p1", "nodeA"), 1, 0)).isTrue();
        assertThat(w.hold(new SlotKey(true, Stat.VIEWS, "p1", "nodeA", "inc1").key(), 1, 0)).isTrue();
        assertThat(w.hold(StatsKeys.activity("p1", "nodeB"), 1, 0)).isFalse();
        assertThat(w.hold(new SlotKey(true, Stat.VIEWS, "p1", "nodeA", "inc0").key(), 1, 0)).isFalse();
        assertThat(w.hold(StatsKeys.liker("p1", "nodeA"), 1, 0)).as("a set member never waits").isFalse();
        assertThat(new WaitingRegisters(Duration.ZERO, "nodeA", "inc1").hold(StatsKeys.activity("p1", "nodeA"), 1, 0)).isFalse();
    }

    @Test
    void aRegisterKeepsItsFirstWriteAndLeavesOnceDueOldestFirst() {
        String a = StatsKeys.activity("p1", "nodeA");
        String b = StatsKeys.activity("p2", "nodeA");
        w.hold(a, 3, 0);
        w.hold(b, 4, SECOND / 2);
        w.hold(a, 5, SECOND / 2); // a later write of a waiting register: its first write and due time stay
        assertThat(w.covered(5)).isEqualTo(2);
        assertThat(release(SECOND - 1, false, 10)).isEmpty();
        assertThat(release(SECOND, false, 10)).containsExactly(a + "@3");
        assertThat(w.covered(5)).isEqualTo(3);
        assertThat(release(SECOND, true, 10)).as("all: due or not").containsExactly(b + "@4");
        assertThat(w.isEmpty()).isTrue();
        assertThat(w.covered(5)).isEqualTo(5);
    }

    @Test
    void aRegisterWhosePutThrowsStaysAndTheExcessIsCounted() {
        String a = StatsKeys.activity("p1", "nodeA");
        w.hold(a, 1, 0);
        try {
            w.release(SECOND, false, 1, (k, s) -> { throw new IllegalStateException("store closed"); });
        } catch (IllegalStateException expected) {
            // the mirror's failure path takes it from here
        }
        assertThat(w.covered(9)).isZero();
        assertThat(w.excess()).isZero();
        for (int p = 0; p < WaitingRegisters.MAX_WAITING + 2; p++) w.hold(StatsKeys.activity("q" + p, "nodeA"), 2 + p, 0);
        assertThat(w.excess()).isEqualTo(3);
    }
}
