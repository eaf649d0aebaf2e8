package io.warpstats.replication;

import static io.warpstats.p2p.testing.TestHosts.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PubSubConvergenceTest {
    @TempDir
    Path dir;

    @Test
    void concurrentPutsOnThreeNodesConverge() throws Exception {
        int perNode = 300;
        SyncParams params = SyncParams.defaults();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, true);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, true);
             SyncTestNode c = new SyncTestNode(dir.resolve("c"), params, true)) {
            List<SyncTestNode> nodes = List.of(a, b, c);
            a.connect(b);
            b.connect(c);
            c.connect(a);
            // wait until each node sees both others subscribed (bounded)
            for (SyncTestNode n : nodes) {
                for (int i = 0; i < 200 && await(n.pubsub.peers(n.broadcaster.topic())).size() < 2; i++) {
                    await(CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(25, TimeUnit.MILLISECONDS)));
                }
                assertThat(await(n.pubsub.peers(n.broadcaster.topic()))).hasSize(2);
            }
            int expectedKeys = 3 * perNode + 1;
            List<CompletableFuture<Void>> writers = nodes.stream().map(n -> CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perNode; i++) {
                    n.crdt.put("/p/" + n.host.peerId() + "/" + i, "x".getBytes(StandardCharsets.UTF_8));
                    n.crdt.put("/shared", n.host.peerId().toString().getBytes(StandardCharsets.UTF_8));
                    if (i % 10 == 9) await(n.crdt.flush());
                }
                await(n.crdt.flush());
            })).toList();
            writers.forEach(w -> await(w));
            // converged when every node holds every key and the heads agree; wait (bounded) for it
            for (int i = 0; i < 400 && !converged(nodes, expectedKeys); i++) {
                for (SyncTestNode n : nodes) await(n.crdt.replication().whenIdle());
                await(CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));
            }
            assertThat(nodes).as(() -> nodes.stream().map(n -> n.state().size() + " " + n.crdt.metrics() + " " + n.client.metrics()).toList().toString())
                    .allSatisfy(n -> assertThat(n.state()).hasSize(expectedKeys));
            assertThat(b.state()).isEqualTo(a.state());
            assertThat(c.state()).isEqualTo(a.state());
            assertThat(a.state()).hasSize(expectedKeys);
            for (SyncTestNode n : nodes) {
                assertThat(n.reports).isEmpty();
                assertThat(n.broadcaster.published()).isPositive();
            }
        }
    }

    private static boolean converged(List<SyncTestNode> nodes, int keys) {
        for (SyncTestNode n : nodes) if (n.state().size() != keys) return false;
        Set<Object> first = Set.copyOf(nodes.get(0).crdt.heads());
        for (SyncTestNode n : nodes) if (!Set.copyOf(n.crdt.heads()).equals(first)) return false;
        return true;
    }
}
