package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.stats.LegacyTotals;
import io.warpstats.stats.PostStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Imported legacy totals live in the importing node's own slots and replicate like any increment. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ImportReplicationTest {

    static long[] totals(Node n, String post) {
        PostStats s = n.stats().stats(post);
        return new long[] {s.likes(), s.retweets(), s.replies(), s.views()};
    }

    @Test
    void importedTotalsReachEveryNodeOnceAndAddToLiveCounts() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            c.awaitFullMesh(Duration.ofSeconds(15));
            List<LegacyTotals> file = new ArrayList<>();
            for (int i = 0; i < 200; i++) file.add(new LegacyTotals("old-" + i, i % 10, 1, 2, 10L * i));
            c.node(1).stats().like("old-7", "alice"); // a live like on another node
            assertThat(c.node(0).stats().importTotals(file).changed()).isEqualTo(200);
            assertThat(c.node(0).stats().importTotals(file).changed()).isZero(); // the same file again
            c.settle(Duration.ofSeconds(30));
            for (int n = 0; n < 3; n++) {
                assertThat(totals(c.node(n), "old-7")).as("node %d", n).containsExactly(8, 1, 2, 70);
                assertThat(totals(c.node(n), "old-199")).as("node %d", n).containsExactly(9, 1, 2, 1990);
            }
            // a later export adds only its growth, on every node
            assertThat(c.node(0).stats().importTotals(List.of(new LegacyTotals("old-199", 10, 1, 2, 1990))).likes()).isEqualTo(1);
            c.settle(Duration.ofSeconds(30));
            for (int n = 0; n < 3; n++) {
                assertThat(totals(c.node(n), "old-199")).as("node %d", n).containsExactly(10, 1, 2, 1990);
            }
        }
    }
}
