package io.warpstats.crdt;

import static io.warpstats.crdt.TestDags.DAG;
import static io.warpstats.crdt.TestDags.block;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a replica reads back at open, and the repair that re-derives the frontier from the DAG below the heads. */
class StoredStateTest {
    @TempDir
    Path dir;
    final Keys keys = new Keys("/CRDT");

    /** Commits a chain a ← b ← c (c the head) through the single writer, as a replica stores it. */
    static List<Block> chain(KvStore store, Keys keys) {
        Block a = block(List.of(), 1, "/a", "1");
        Block b = block(List.of(a.cid()), 2, "/b", "2");
        Block c = block(List.of(b.cid()), 3, "/c", "3");
        GroupCommit gc = new GroupCommit(store, keys, new HeadTracker(m -> {}, new HashMap<>()), new Rejections(e -> {}), List.of(), "t");
        gc.lock();
        try {
            for (Block x : List.of(a, b, c)) gc.apply(x, x.toBytes(), false);
            gc.commit();
        } finally {
            gc.unlock();
        }
        return List.of(a, b, c);
    }

    @Test
    void headsFrontierAndEarlyTombstonesAreReadBack() {
        try (KvStore store = KvStores.rocksDb(dir.resolve("db"))) {
            List<Block> abc = chain(store, keys);
            Cid unknown = block(List.of(), 1, "/u", "1").cid();
            store.put(keys.pending(unknown), new byte[] {0});
            store.put(keys.early("some-id", "/k"), new byte[0]);
            Map<String, Map<Cid, Long>> heads = new HashMap<>();
            StoredState.loadHeads(store, keys, heads);
            assertThat(heads).containsOnlyKeys(DAG);
            assertThat(heads.get(DAG)).containsExactly(Map.entry(abc.get(2).cid(), 3L));
            Map<Cid, byte[]> frontier = new HashMap<>();
            StoredState.loadFrontier(store, keys, frontier);
            assertThat(frontier).containsOnlyKeys(unknown);
            Map<String, Set<String>> early = new HashMap<>();
            StoredState.loadEarly(store, keys, early);
            assertThat(early).containsExactly(Map.entry("some-id", Set.of("/k")));
        }
    }

    @Test
    void repairPutsLostAndCorruptBlocksBackIntoTheFrontier() {
        try (KvStore store = KvStores.rocksDb(dir.resolve("db"))) {
            List<Block> abc = chain(store, keys);
            Map<String, Map<Cid, Long>> heads = new HashMap<>();
            StoredState.loadHeads(store, keys, heads);
            StoredState.repair(store, keys, heads);
            assertThat(store.get(keys.pending(abc.get(0).cid()))).as("an intact DAG: nothing to do").isEmpty();
            store.delete(keys.processed(abc.get(0).cid())); // a store that lost its tail
            StoredState.repair(store, keys, heads);
            assertThat(store.get(keys.pending(abc.get(0).cid()))).hasValueSatisfying(v -> assertThat(v).containsExactly(1));
            store.put(keys.processed(abc.get(1).cid()), Keys.prioValue(2, "garbage".getBytes())); // corrupt
            StoredState.repair(store, keys, heads);
            assertThat(store.get(keys.processed(abc.get(1).cid()))).isEmpty();
            assertThat(store.get(keys.pending(abc.get(1).cid()))).isPresent();
            assertThat(store.get(keys.pending(abc.get(2).cid()))).isEmpty();
        }
    }
}
