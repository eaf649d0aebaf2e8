package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.p2p.Multiaddr;
import io.warpstats.stats.PostStats;
import io.warpstats.stats.Source;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written by the release before likes, retweets and replies were counted as sets
 * (counted then in per-node counter slots; replies had no set): the node opens it, rebuilds its
 * statistics view from the stored state, publishes its replies into the set, and reports the same
 * totals; opening it again changes nothing.
 *
 * <p>The fixture was made with that release's jar: likes by alice, bob, carol on p1 and bob's unlike;
 * a retweet by dave; replies r1 and r2 by erin and r2 deleted; three views; alice's like of p2.
 */
class StoreUpgradeTest {
    @TempDir Path dir;

    static void unzip(String resource, Path to) throws IOException {
        try (InputStream in = StoreUpgradeTest.class.getResourceAsStream(resource); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path p = to.resolve(e.getName()).normalize();
                if (!p.startsWith(to)) throw new IOException("entry outside the target: " + e.getName());
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                } else {
                    Files.createDirectories(p.getParent());
                    Files.copy(zip, p);
                }
            }
        }
    }

    @Test
    void aStoreOfThePreviousReleaseOpensWithTheSameTotals() throws Exception {
        Path data = dir.resolve("data");
        unzip("/io/warpstats/node/upgrade/store-v0.1-before-sets.zip", data);
        for (int run = 0; run < 2; run++) { // the second open finds the view up to date: same answers
            try (Node n = Node.start(NodeConfig.defaults(data, Multiaddr.parse("/ip4/127.0.0.1/tcp/0")))) {
                PostStats p1 = n.stats().stats("p1");
                assertThat(p1).extracting("likes", "retweets", "replies", "views", "source")
                        .containsExactly(2L, 1L, 1L, 3L, Source.CRDT);
                assertThat(n.stats().likers("p1", null, 10).items()).containsExactly("alice", "carol");
                assertThat(n.stats().stats("p2").likes()).isEqualTo(1);
                assertThat(p1.lastActivity()).isNotNull();
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (n.stats().outboxSize() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20); // the outbox drains on its own timer (no event to wait on); bounded
                }
                assertThat(n.stats().outboxSize()).as("the migration's outbox drained").isZero();
                assertThat(n.crdt().get("/replies/p1/r1")).as("the reply is in the set now").isPresent();
                assertThat(n.crdt().get("/replies/p1/r2")).isEmpty();
                n.stats().unlike("p1", "alice"); // and the upgraded node works as usual
                n.stats().like("p1", "alice");
                assertThat(n.stats().stats("p1").likes()).isEqualTo(2);
            }
        }
    }
}
