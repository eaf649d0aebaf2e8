package io.warpstats.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A small configuration of the growth benchmark, so its code keeps working: totals, join and the measures, no timing. */
class GrowthBenchTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(300)
    void threeNodesWriteStopAndANewNodeReachesTheirTotals() throws Exception {
        GrowthBench.Result r = GrowthBench.run(new GrowthBench.Config(600, true, 3, 50, true, Duration.ZERO, Duration.ofSeconds(120), dir));
        assertThat(r.joinMs()).as("the new node reached the totals").isGreaterThanOrEqualTo(0);
        assertThat(r.nodes()).hasSize(3);
        assertThat(r.tidyMs()).as("every node tidied before it stopped").isGreaterThanOrEqualTo(0);
        for (GrowthBench.NodeFigures f : r.nodes()) {
            assertThat(f.crdtBytes() + f.localBytes()).isPositive().isLessThan(f.dirBytes()); // and identity.key
            assertThat(f.ratio()).isEqualTo((double) f.dirBytes() / f.live().bytes());
            assertThat(f.runningDirBytes()).as("measured while running").isPositive();
            // every post has a views slot and an activity register per writing node that viewed it, all replicated
            assertThat(f.live().visibleRows()).isEqualTo(r.joined().live().visibleRows()).isGreaterThanOrEqualTo(2L * 50);
            assertThat(f.live().viewRows()).isPositive();
            assertThat(f.live().localRows()).as("incarnation, sequence, totals and activity of the posts it counted").isGreaterThan(2);
        }
        assertThat(r.joined().live().localRows()).as("the new node wrote nothing: its incarnation and the mirror's watermark only").isEqualTo(2);
    }
}
