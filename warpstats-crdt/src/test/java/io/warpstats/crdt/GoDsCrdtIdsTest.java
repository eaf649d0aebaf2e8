package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.multiformats.Cid;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Element ids as go-ds-crdt forms them: the shared vector blocks merge to one state in every order; a
 * tombstone naming the root block's element by the id go-ds-crdt gives it (the id the vectors' merge
 * block uses) removes it, whichever arrives first; a store written with the earlier CID-string ids is
 * renamed when it opens and then obeys such tombstones too.
 */
class GoDsCrdtIdsTest {
    @TempDir Path dir;

    static Map<Cid, byte[]> vectorBlocks() throws Exception {
        JsonNode v = ElementIdTest.vectors();
        Map<Cid, byte[]> blocks = new HashMap<>();
        for (JsonNode b : v.get("blocks")) blocks.put(Cid.parse(b.get("cid").asText()), HexFormat.of().parseHex(b.get("blockHex").asText()));
        return blocks;
    }

    static MerkleCrdt replica(KvStore s, Map<Cid, byte[]> blocks) {
        return MerkleCrdt.builder(s).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                .fetcher(cid -> blocks.containsKey(cid) ? CompletableFuture.completedFuture(blocks.get(cid))
                        : CompletableFuture.failedFuture(new IllegalStateException("unknown " + cid)))
                .build();
    }

    static TreeMap<String, String> state(MerkleCrdt c) {
        TreeMap<String, String> m = new TreeMap<>();
        c.query("/", (k, v) -> m.put(k, HexFormat.of().formatHex(v)));
        return m;
    }

    static void permutations(List<Cid> items, int k, List<List<Cid>> out) {
        if (k == items.size()) { out.add(new ArrayList<>(items)); return; }
        for (int i = k; i < items.size(); i++) {
            java.util.Collections.swap(items, k, i);
            permutations(items, k + 1, out);
            java.util.Collections.swap(items, k, i);
        }
    }

    @Test
    void theVectorBlocksMergeToOneStateInEveryOrder() throws Exception {
        Map<Cid, byte[]> blocks = vectorBlocks();
        List<List<Cid>> orders = new ArrayList<>();
        permutations(new ArrayList<>(blocks.keySet()), 0, orders);
        assertThat(orders).hasSize(120);
        TreeMap<String, String> first = null;
        for (List<Cid> order : orders) {
            try (MerkleCrdt c = replica(KvStores.inMemory(), blocks)) {
                for (Cid h : order) c.replication().onHead(h);
                c.replication().whenIdle().join();
                TreeMap<String, String> s = state(c);
                if (first == null) first = s;
                assertThat(s).as("order %s", order).isEqualTo(first);
            }
        }
        assertThat(first).containsKey("/likers/tweet-1/alice").doesNotContainKey("/likers/tweet-1/bob");
    }

    @Test
    void aTombstoneWithGoDsCrdtsIdRemovesTheRootElementInEitherOrder() throws Exception {
        JsonNode v = ElementIdTest.vectors();
        Cid rootCid = Cid.parse(ElementIdTest.block(v, "root").get("cid").asText());
        Block root = Block.decode(HexFormat.of().parseHex(ElementIdTest.block(v, "root").get("blockHex").asText()));
        Block merge = Block.decode(HexFormat.of().parseHex(ElementIdTest.block(v, "merge").get("blockHex").asText()));
        String id = merge.delta().tombstones().get(0).id(); // go-ds-crdt's id of the root block's elements
        String key = root.delta().elements().get(0).key();
        // a block that deletes the root's element the way go-ds-crdt would write it
        Block del = Block.of(List.of(rootCid), new Delta(List.of(), List.of(Element.tombstone(key, id)), 2, ""));
        byte[] delBytes = Block.encode(del.links(), del.delta());
        Map<Cid, byte[]> blocks = new HashMap<>(vectorBlocks());
        blocks.put(Cid.ofDagPb(delBytes), delBytes);
        for (boolean rootFirst : new boolean[] {true, false}) {
            try (MerkleCrdt c = replica(KvStores.inMemory(), blocks)) {
                if (rootFirst) {
                    c.replication().onHead(rootCid);
                    c.replication().whenIdle().join();
                    assertThat(c.get(key)).isPresent();
                }
                c.replication().onHead(Cid.ofDagPb(delBytes)); // walks down to the root if it is not held
                c.replication().whenIdle().join();
                assertThat(c.get(key)).as("root first: %s", rootFirst).isEmpty();
            }
        }
    }

    @Test
    void aStoreWithCidStringIdsIsRenamedAtOpenAndObeysGoDsCrdtTombstones() throws Exception {
        Map<Cid, byte[]> blocks = vectorBlocks();
        JsonNode v = ElementIdTest.vectors();
        Cid rootCid = Cid.parse(ElementIdTest.block(v, "root").get("cid").asText());
        Block root = Block.decode(blocks.get(rootCid));
        String key = root.delta().elements().get(0).key();
        Path db = dir.resolve("db");
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = replica(s, blocks)) {
            c.replication().onHead(rootCid);
            c.replication().whenIdle().join();
        }
        try (KvStore s = KvStores.rocksDb(db)) { // as the earlier release wrote it: the id is the CID string
            Keys keys = new Keys("/CRDT");
            byte[] canonical = keys.element(key, ElementId.of(rootCid));
            byte[] value = s.get(canonical).orElseThrow();
            s.delete(canonical);
            s.put(keys.element(key, rootCid.toString()), value);
            s.delete(ElementIdUpgrade.marker("/CRDT"));
        }
        String id = ElementId.of(rootCid);
        Block del = Block.of(List.of(rootCid), new Delta(List.of(), List.of(Element.tombstone(key, id)), 2, ""));
        byte[] delBytes = Block.encode(del.links(), del.delta());
        blocks = new HashMap<>(blocks);
        blocks.put(Cid.ofDagPb(delBytes), delBytes);
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = replica(s, blocks)) {
            assertThat(s.get(new Keys("/CRDT").element(key, rootCid.toString()))).as("renamed").isEmpty();
            assertThat(c.get(key)).isPresent();
            c.replication().onHead(Cid.ofDagPb(delBytes));
            c.replication().whenIdle().join();
            assertThat(c.get(key)).isEmpty();
        }
    }
}
