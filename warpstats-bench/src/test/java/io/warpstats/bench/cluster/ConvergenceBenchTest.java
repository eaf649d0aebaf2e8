package io.warpstats.bench.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A small configuration of the cluster benchmark, so its code keeps working: convergence only, no timing. */
class ConvergenceBenchTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void threeNodesConvergeAndALateNodeCatchesUp() throws Exception {
        // 3 nodes, 1,000 puts/s for 2 s (2,000 puts over 500 Zipf keys), then a node misses 2,000 puts over 200 keys
        ConvergenceBench.Config cfg = new ConvergenceBench.Config(3, new int[] {1_000}, 0, 2, 500, 1.0,
                Duration.ofMillis(10), Duration.ofSeconds(1), 2_000, 200, 2_000, 1, 1, 100, dir);
        List<ConvergenceBench.RunResult> runs = ConvergenceBench.run(cfg);
        assertThat(runs).hasSize(1);
        ConvergenceBench.RateResult r = runs.get(0).rates().get(0);
        assertThat(r.puts()).isGreaterThan(1_500);
        assertThat(r.convergeMs()).as("converged after the load").isGreaterThanOrEqualTo(0);
        assertThat(r.mismatches()).isZero();
        assertThat(r.samples()).isPositive();
        assertThat(r.bytesPerPut()).isPositive();
        ConvergenceBench.CatchupResult c = runs.get(0).catchup();
        assertThat(c.puts()).isEqualTo(2_000);
        assertThat(c.catchupMs()).as("late node reached the same heads").isGreaterThanOrEqualTo(0);
        assertThat(c.roundTrips()).isPositive();
        assertThat(c.mismatches()).isZero();
    }
}
