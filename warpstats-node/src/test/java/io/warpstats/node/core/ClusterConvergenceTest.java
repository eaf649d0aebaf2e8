package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.stats.PostStats;
import io.warpstats.stats.SlotKey;
import io.warpstats.stats.Stat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Five nodes in one JVM over real TCP on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterConvergenceTest {

    static byte[] u64(long v) { return ByteBuffer.allocate(8).putLong(v).array(); }

    @Test
    void concurrentWritesOnFiveNodesConverge() throws Exception {
        try (TestCluster c = new TestCluster(5)) {
            c.awaitFullMesh(Duration.ofSeconds(15));
            int posts = 20;
            int likesPerNode = 30;
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try {
                List<CompletableFuture<Void>> work = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    Node n = c.node(i);
                    int ni = i;
                    work.add(CompletableFuture.runAsync(() -> {
                        for (int k = 0; k < likesPerNode; k++) {
                            n.stats().like("post-" + (k % posts), "user-" + ni + "-" + k);
                            n.stats().view("post-" + (k % posts), null);
                        }
                        // raw slot puts as well: this node's own view slot for a hot post, many updates coalesced
                        for (long v = 1; v <= 1000; v++) {
                            n.crdt().put(new SlotKey(true, Stat.VIEWS, "hot", n.peerId().toString(), n.stats().incarnation()).key(), u64(v));
                        }
                    }, pool));
                }
                CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            c.settle(Duration.ofSeconds(30));
            var reference = TestCluster.state(c.node(0));
            // every node's activity register of every post arrived, though each waits for the register delay
            assertThat(reference.keySet().stream().filter(k -> k.startsWith("/activity/")).count()).isEqualTo(5L * posts);
            for (int i = 0; i < 5; i++) {
                assertThat(TestCluster.state(c.node(i))).isEqualTo(reference);
                long likes = 0;
                for (int p = 0; p < posts; p++) {
                    PostStats s = c.node(i).stats().stats("post-" + p);
                    likes += s.likes();
                    assertThat(s.views()).isEqualTo(s.likes());
                    assertThat(s.lastActivity()).as("post-%d on node %d", p, i)
                            .isEqualTo(c.node(0).stats().stats("post-" + p).lastActivity());
                }
                assertThat(likes).isEqualTo(5L * likesPerNode);
                long[] hot = {0};
                c.node(i).crdt().query("/incr/views/hot/", (k, v) -> hot[0] += ByteBuffer.wrap(v).getLong());
                assertThat(hot[0]).isEqualTo(5000); // five slots, each at its last value
            }
        }
    }
}
