package io.warpstats.replication;

import static io.warpstats.p2p.testing.TestHosts.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction over the real sync protocol (docs/crdt.md, "Compaction"): real hosts on 127.0.0.1, real
 * RocksDB. A new node fetches the checkpoints and what is above them, not the history, and ends with
 * exactly the live state; a node that was offline across the others' compactions merges exactly both
 * ways.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CompactionSyncTest {
    @TempDir
    Path dir;

    private static void write(SyncTestNode n, String prefix, int flushes, Map<String, String> expected) {
        for (int i = 0; i < flushes; i++) {
            String k = prefix + (i % 40), v = n.host.peerId() + "-" + i;
            n.crdt.put(k, v.getBytes(StandardCharsets.UTF_8));
            expected.put(k, v);
            if (i % 7 == 3) {
                String d = prefix + ((i * 13) % 40);
                n.crdt.delete(d);
                expected.remove(d);
            }
            await(n.crdt.flush());
        }
    }

    private static void syncFrom(SyncTestNode to, SyncTestNode from) {
        for (var h : from.crdt.heads()) to.crdt.replication().onHead(h.cid());
        await(to.crdt.replication().whenIdle());
    }

    @Test
    void aNewNodeFetchesTheCheckpointsNotTheHistory() {
        SyncParams params = SyncParams.defaults();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            Map<String, String> expected = new TreeMap<>();
            write(a, "/a/", 600, expected);
            long written = a.crdt.metrics().localBlocks();
            await(a.crdt.compact());
            await(a.crdt.replication().whenIdle());
            assertThat(a.crdt.metrics().reapedBlocks()).as("a's history deleted").isGreaterThanOrEqualTo(written - 1);
            assertThat(a.crdt.metrics().blocksHeld()).as("a keeps its checkpoint").isLessThanOrEqualTo(2);
            assertThat(a.state()).isEqualTo(expected);

            b.connect(a);
            syncFrom(b, a);
            assertThat(b.state()).as("exactly the live state").isEqualTo(expected);
            assertThat(b.client.metrics().blocks()).as("blocks fetched").isLessThanOrEqualTo(2);
            assertThat(b.crdt.metrics().pendingBlocks()).as("nothing left to fetch").isZero();
            assertThat(b.crdt.metrics().prunedLinks()).as("told what was compacted away").isGreaterThanOrEqualTo(1);
            assertThat(b.reports).as("the server is not penalized for compacting").isEmpty();

            // the history goes on above the checkpoint: b follows with one block per write
            write(a, "/a/", 5, expected);
            syncFrom(b, a);
            assertThat(b.state()).isEqualTo(expected);
        }
    }

    @Test
    void aNodeOfflineAcrossCompactionsMergesExactly() {
        SyncParams params = SyncParams.defaults();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            Map<String, String> expected = new TreeMap<>();
            write(a, "/s/", 50, expected);
            b.connect(a);
            syncFrom(b, a);
            assertThat(b.state()).isEqualTo(expected);

            // b is offline: a writes and compacts twice, b writes alone (shared keys too) and compacts once
            Map<String, String> aSide = new TreeMap<>(expected), bSide = new TreeMap<>(expected);
            write(a, "/a/", 120, aSide);
            await(a.crdt.compact());
            write(a, "/s/", 30, aSide);
            await(a.crdt.compact());
            write(b, "/b/", 80, bSide);
            await(b.crdt.compact());
            write(b, "/b/", 10, bSide);

            // back: both directions merge; the result is the same on both, and every key of each side is
            // there with the winner the DAG gives it
            syncFrom(b, a);
            syncFrom(a, b);
            await(a.crdt.replication().whenIdle());
            assertThat(a.state()).isEqualTo(b.state());
            for (var e : bSide.entrySet()) if (e.getKey().startsWith("/b/")) assertThat(a.state()).containsEntry(e.getKey(), e.getValue());
            for (var e : aSide.entrySet()) if (!e.getKey().startsWith("/b/")) assertThat(b.state()).containsEntry(e.getKey(), e.getValue());
            assertThat(a.crdt.metrics().pendingBlocks()).isZero();
            assertThat(b.crdt.metrics().pendingBlocks()).isZero();
            assertThat(a.reports).isEmpty();
            assertThat(b.reports).isEmpty();
        }
    }
}
