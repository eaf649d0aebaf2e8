package io.warpstats.crdt;

import static io.warpstats.crdt.TestDags.block;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.multiformats.Cid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** Heads per DAG, replaced whole at publish; announcements in CID order, split, with the eager push of fresh local blocks once. */
class HeadTrackerTest {
    final List<CrdtBroadcast> sent = new ArrayList<>();
    final HeadTracker heads = new HeadTracker(sent::add, new HashMap<>());

    static Map<Cid, Long> of(Block... bs) {
        Map<Cid, Long> m = new HashMap<>();
        for (Block b : bs) m.put(b.cid(), b.delta().priority());
        return m;
    }

    @Test
    void publishReplacesADagsHeadsAndTheSnapshotCoversAllDags() {
        Block a = block(List.of(), 1, "/a", "1"), b = block(List.of(), 1, "/b", "1"), c = block(List.of(), 2, "/c", "1");
        Map<String, Map<Cid, Long>> staged = new HashMap<>();
        staged.put("x", of(a, b));
        staged.put("y", of(c));
        heads.publish(staged);
        assertThat(heads.snapshot()).containsExactlyInAnyOrder(a.cid(), b.cid(), c.cid());
        assertThat(heads.list("x")).extracting(Head::cid).isSorted().containsExactlyInAnyOrder(a.cid(), b.cid());
        assertThat(heads.committed("y")).containsEntry(c.cid(), 2L);
        heads.publish(Map.of("x", of(c)));
        assertThat(heads.committed("x")).containsOnlyKeys(c.cid());
        assertThat(heads.snapshot()).containsExactly(c.cid());
        assertThat(heads.committed("none")).isEmpty();
    }

    @Test
    void loadedHeadsAreInTheSnapshotAtOnce() {
        Block a = block(List.of(), 1, "/a", "1");
        Map<String, Map<Cid, Long>> stored = new ConcurrentHashMap<>();
        stored.put("x", new ConcurrentHashMap<>(of(a)));
        HeadTracker loaded = new HeadTracker(msg -> {}, stored);
        assertThat(loaded.snapshot()).containsExactly(a.cid());
    }

    @Test
    void announcementsAreSplitInCidOrder() {
        Map<Cid, Long> many = new HashMap<>();
        for (int i = 0; i < CrdtBroadcast.MAX_HEADS + 10; i++) many.put(block(List.of(), 1, "/k" + i, "v").cid(), 1L);
        heads.broadcast(Map.of()); // nothing to announce yet
        assertThat(sent).isEmpty();
        heads.publish(Map.of("x", many));
        heads.broadcast(Map.of());
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).heads()).hasSize(CrdtBroadcast.MAX_HEADS);
        List<Cid> all = new ArrayList<>();
        sent.forEach(m -> m.heads().forEach(h -> all.add(h.cid())));
        assertThat(all).isSorted().containsExactlyInAnyOrderElementsOf(many.keySet());
        assertThat(sent.get(1).heads()).allSatisfy(h -> assertThat(h.dagName()).isEqualTo("x"));
    }

    @Test
    void freshLocalBlocksThatAreHeadsArePushedOnce() {
        Block a = block(List.of(), 1, "/a", "1"), old = block(List.of(), 1, "/old", "1");
        heads.publish(Map.of("x", of(a)));
        heads.freshLocal(Map.of(a.cid(), a.toBytes(), old.cid(), old.toBytes())); // old is no head: not pushed
        heads.announceFresh();
        heads.announceFresh();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).blocks()).hasSize(1);
        assertThat(sent.get(0).blocks().get(0)).isEqualTo(a.toBytes());
        assertThat(sent.get(1).blocks()).as("pushed once").isEmpty();
    }

    @Test
    void atMostMaxEagerBlocksRideInOneMessageAndAFailingBroadcasterIsNotThrown() {
        Map<Cid, Long> m = new HashMap<>();
        Map<Cid, byte[]> fresh = new HashMap<>();
        for (int i = 0; i < CrdtBroadcast.MAX_EAGER_BLOCKS + 3; i++) {
            Block b = block(List.of(), 1, "/f" + i, "v");
            m.put(b.cid(), 1L);
            fresh.put(b.cid(), b.toBytes());
        }
        heads.publish(Map.of("x", m));
        heads.broadcast(fresh);
        assertThat(sent.get(0).blocks()).hasSize(CrdtBroadcast.MAX_EAGER_BLOCKS);
        HeadTracker failing = new HeadTracker(msg -> {
            throw new IllegalStateException("no peers");
        }, new HashMap<>());
        failing.publish(Map.of("x", m));
        failing.broadcast(fresh); // logged, not thrown
    }
}
