package io.warpstats.node.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.stats.SlotKey;
import io.warpstats.stats.Stat;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A node that was offline while 100,000 puts happened catches up after it comes back. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OfflineCatchUpTest {
    static final int PUTS = 100_000;
    static final int KEYS = 10_000;

    @Test
    void offlineNodeCatchesUpExactly() throws Exception {
        try (TestCluster c = new TestCluster(3)) {
            c.awaitFullMesh(Duration.ofSeconds(15));
            c.stop(2);
            TreeMap<String, String> expected = new TreeMap<>();
            // 100,000 puts over 10,000 keys: each writer updates its own counter slots (only it may write them)
            for (int w = 0; w < 2; w++) {
                Node n = c.node(w);
                String inc = n.stats().incarnation();
                long[] totals = new long[KEYS / 2];
                for (int i = 0; i < PUTS / 2; i++) {
                    int k = i % (KEYS / 2);
                    totals[k]++;
                    String key = new SlotKey(true, Stat.VIEWS, "p" + k, n.peerId().toString(), inc).key();
                    byte[] v = ByteBuffer.allocate(8).putLong(totals[k]).array();
                    n.crdt().put(key, v);
                    if (i >= PUTS / 2 - KEYS / 2) expected.put(key, HexFormat.of().formatHex(v));
                }
                n.crdt().flush().get(30, TimeUnit.SECONDS);
            }
            c.awaitConvergence(Duration.ofSeconds(30));
            assertThat(TestCluster.state(c.node(0))).containsAllEntriesOf(expected);
            long blocks = c.node(0).crdt().metrics().localBlocks() + c.node(1).crdt().metrics().localBlocks();

            long t0 = System.nanoTime();
            Node back = c.restart(2);
            c.awaitConvergence(Duration.ofSeconds(30));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.printf("catch-up of %d puts over %d keys (%d blocks, %d merged): %d ms after restart%n",
                    PUTS, KEYS, blocks, back.crdt().metrics().mergedBlocks(), ms);
            TreeMap<String, String> got = TestCluster.state(back);
            assertThat(got).isEqualTo(TestCluster.state(c.node(0)));
            assertThat(got).containsAllEntriesOf(expected);
            assertThat(got.keySet().stream().filter(k -> k.startsWith("/incr/views/p")).count()).isEqualTo(KEYS);
            long total = 0;
            for (int k = 0; k < KEYS / 2; k++) total += back.stats().stats("p" + k).views();
            assertThat(total).isEqualTo(PUTS);
        }
    }
}
