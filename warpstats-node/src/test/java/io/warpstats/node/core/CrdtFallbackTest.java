package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.stats.PostStats;
import io.warpstats.stats.Source;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 5's fallback, across nodes: while one node's statistics run without the CRDT (detached:
 * the CRDT is unavailable to them), its users' actions still succeed on the local database and
 * reads say {@code local}; when the CRDT comes back the outbox replays into it and every node
 * converges on the exact totals, with nothing lost and nothing counted twice.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CrdtFallbackTest {

    @Test
    void actionsDuringACrdtOutageReachEveryNodeExactlyOnceAfterItReturns() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            c.awaitFullMesh(Duration.ofSeconds(15));
            Node offline = c.node(1);
            // before the outage: counted through the CRDT everywhere
            c.node(0).stats().like("post-f", "u0");
            offline.stats().like("post-f", "u1");
            c.awaitConvergence(Duration.ofSeconds(30));

            offline.stats().detach();
            assertThat(offline.stats().source()).isEqualTo(Source.LOCAL);
            for (int u = 2; u < 42; u++) offline.stats().like("post-f", "u" + u);
            offline.stats().view("post-f", "u2");
            offline.stats().retweet("post-f", "u3");
            offline.stats().unlike("post-f", "u1"); // an unlike of a like made before the outage
            c.node(2).stats().like("post-f", "u99"); // the rest of the network goes on meanwhile

            PostStats local = offline.stats().stats("post-f");
            assertThat(local.source()).isEqualTo(Source.LOCAL);
            assertThat(offline.stats().outboxSize()).isPositive();

            offline.stats().attach(offline.crdt());
            TestCluster.await("outbox drained", Duration.ofSeconds(30), () -> offline.stats().outboxSize() == 0);
            offline.crdt().flush().get(30, TimeUnit.SECONDS);
            c.awaitConvergence(Duration.ofSeconds(30));

            // u0, u2..u41 and u99 like it (u1 unliked): 1 + 40 + 1 = 42; one retweet; one view
            for (Node n : c.running()) {
                TestCluster.await("exact totals on " + n.peerId(), Duration.ofSeconds(30), () -> {
                    PostStats s = n.stats().stats("post-f");
                    return s.likes() == 42 && s.retweets() == 1 && s.views() == 1;
                });
                PostStats s = n.stats().stats("post-f");
                assertThat(s.source()).isEqualTo(Source.CRDT);
                assertThat(s.likes()).isEqualTo(42);
                assertThat(s.retweets()).isEqualTo(1);
                assertThat(s.views()).isEqualTo(1);
            }
        }
    }
}
