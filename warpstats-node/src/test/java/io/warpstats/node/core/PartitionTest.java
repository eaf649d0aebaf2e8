package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A partition made by the hosts' connection gates heals, and both sides converge with nothing lost. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PartitionTest {

    @Test
    void partitionHealsAndNothingIsLost() throws Exception {
        try (TestCluster c = new TestCluster(4)) {
            c.awaitFullMesh(Duration.ofSeconds(15));
            c.node(0).stats().like("shared", "before");
            c.settle(Duration.ofSeconds(30));

            c.partition(Set.of(0, 1));
            TestCluster.await("the partition to cut every cross link", Duration.ofSeconds(10), () ->
                    !c.node(0).connectedPeers().contains(c.node(2).peerId()) && !c.node(0).connectedPeers().contains(c.node(3).peerId())
                    && !c.node(1).connectedPeers().contains(c.node(2).peerId()) && !c.node(1).connectedPeers().contains(c.node(3).peerId()));
            for (int i = 0; i < 4; i++) {
                for (int u = 0; u < 25; u++) {
                    c.node(i).stats().like("shared", "u" + i + "-" + u);
                    c.node(i).stats().like("side-" + (i < 2 ? "a" : "b"), "u" + i + "-" + u);
                }
                c.node(i).crdt().flush().get(10, TimeUnit.SECONDS);
            }
            // each side converges on its own, without the other's writes
            TestCluster.await("side A to converge", Duration.ofSeconds(15),
                    () -> TestCluster.heads(c.node(0)).equals(TestCluster.heads(c.node(1))) && c.node(0).stats().stats("shared").likes() == 51);
            TestCluster.await("side B to converge", Duration.ofSeconds(15),
                    () -> TestCluster.heads(c.node(2)).equals(TestCluster.heads(c.node(3))) && c.node(2).stats().stats("shared").likes() == 51);
            assertThat(c.node(0).connectedPeers()).doesNotContain(c.node(2).peerId(), c.node(3).peerId());
            assertThat(TestCluster.heads(c.node(0))).isNotEqualTo(TestCluster.heads(c.node(2)));

            c.heal();
            c.awaitFullMesh(Duration.ofSeconds(15));
            c.settle(Duration.ofSeconds(30));
            for (int i = 0; i < 4; i++) {
                Node n = c.node(i);
                int ni = i;
                TestCluster.await("aggregates on node " + i, Duration.ofSeconds(5), () -> n.stats().stats("shared").likes() == 101);
                assertThat(n.stats().stats("shared").likes()).as("node %d", ni).isEqualTo(101);
                assertThat(n.stats().stats("side-a").likes()).isEqualTo(50);
                assertThat(n.stats().stats("side-b").likes()).isEqualTo(50);
                assertThat(n.stats().likers("shared", null, 1000).items()).hasSize(101);
            }
            assertThat(List.of(1, 2, 3)).allMatch(i -> TestCluster.state(c.node(i)).equals(TestCluster.state(c.node(0))));
        }
    }
}
