package io.warpstats.crdt;

import static io.warpstats.crdt.TestDags.DAG;
import static io.warpstats.crdt.TestDags.block;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single writer: blocks applied into one stage, committed as one batch, the mirrors (heads,
 * frontier, processed cache, links) published only once the batch is durable, never ahead of it.
 */
class GroupCommitTest {
    @TempDir
    Path dir;
    final Keys keys = new Keys("/CRDT");
    final List<KvStore> opened = new ArrayList<>();

    @AfterEach
    void close() {
        opened.forEach(KvStore::close);
    }

    KvStore rocks(String name) {
        KvStore s = KvStores.rocksDb(dir.resolve(name));
        opened.add(s);
        return s;
    }

    GroupCommit open(KvStore store, HeadTracker heads, List<ChangeListener> listeners) {
        return new GroupCommit(store, keys, heads, new Rejections(e -> {}), listeners, "t");
    }

    static HeadTracker noHeads() {
        return new HeadTracker(msg -> {}, new HashMap<>());
    }

    @Test
    void mirrorsArePublishedOnlyWhenTheBatchIsDurable() {
        KvStore store = rocks("a");
        HeadTracker heads = noHeads();
        GroupCommit gc = open(store, heads, List.of());
        Block a = block(List.of(), 1, "/k", "v");
        gc.lock();
        try {
            assertThat(gc.apply(a, a.toBytes(), true)).isEmpty();
            // staged: the writer sees it, nobody else does, the store has nothing
            assertThat(gc.isProcessed(a.cid())).isTrue();
            assertThat(gc.hasBlock(a.cid())).isFalse();
            assertThat(heads.committed(DAG)).isEmpty();
            assertThat(gc.recentLinks(a.cid())).isNull();
            assertThat(store.get(keys.processed(a.cid()))).isEmpty();
            assertThat(gc.allPublished()).isFalse();
            Set<Cid> staged = new HashSet<>();
            gc.addStagedHeads(staged);
            assertThat(staged).containsExactly(a.cid());
            gc.commit();
        } finally {
            gc.unlock();
        }
        assertThat(gc.allPublished()).isTrue();
        assertThat(store.get(keys.processed(a.cid()))).isPresent();
        assertThat(store.get(keys.head(DAG, a.cid()))).isPresent();
        assertThat(gc.hasBlock(a.cid())).isTrue();
        assertThat(heads.committed(DAG)).containsEntry(a.cid(), 1L);
        assertThat(gc.recentLinks(a.cid())).isEmpty();
        assertThat(gc.mergedBlocks()).isEqualTo(1);
    }

    @Test
    void aFailedWritePublishesNothingAndDropsTheStage() {
        TestDags.FaultyStore store = new TestDags.FaultyStore(rocks("b"));
        HeadTracker heads = noHeads();
        GroupCommit gc = open(store, heads, List.of());
        Block a = block(List.of(), 1, "/k", "v");
        store.failing.set(true);
        gc.lock();
        try {
            gc.apply(a, a.toBytes(), true);
            assertThatThrownBy(gc::commit).hasMessageContaining("disk full");
        } finally {
            gc.unlock();
        }
        assertThat(gc.isProcessed(a.cid())).as("the stage is gone with the failed batch").isFalse();
        assertThat(heads.committed(DAG)).isEmpty();
        assertThat(gc.hasBlock(a.cid())).isFalse();
        assertThat(gc.mergedBlocks()).isZero();
        assertThat(gc.allPublished()).isTrue();
        store.failing.set(false);
        gc.commitQuietly(); // nothing staged any more: nothing written
        assertThat(store.get(keys.processed(a.cid()))).isEmpty();
    }

    @Test
    void aBlockLinksItsUnprocessedChildrenIntoTheFrontierAndTheyDoNotBecomeHeads() {
        KvStore store = rocks("c");
        HeadTracker heads = noHeads();
        GroupCommit gc = open(store, heads, List.of());
        Block a = block(List.of(), 1, "/a", "1");
        Block b = block(List.of(a.cid()), 2, "/b", "2");
        gc.lock();
        try {
            assertThat(gc.apply(b, b.toBytes(), true)).containsExactly(a.cid()); // top-down: the head first
            gc.commit();
        } finally {
            gc.unlock();
        }
        assertThat(gc.pendingRecord(a.cid())).as("linked to").startsWith(1);
        assertThat(store.get(keys.pending(a.cid()))).isPresent();
        assertThat(gc.frontierCids()).containsExactly(a.cid());
        gc.lock();
        try {
            assertThat(gc.apply(a, a.toBytes(), true)).isEmpty();
            gc.commit();
        } finally {
            gc.unlock();
        }
        assertThat(heads.committed(DAG)).containsOnlyKeys(b.cid());
        assertThat(gc.frontierSize()).isZero();
        assertThat(store.get(keys.pending(a.cid()))).isEmpty();
        assertThat(store.get(keys.head(DAG, a.cid()))).isEmpty();
        gc.lock();
        try {
            assertThat(gc.apply(a, a.toBytes(), true)).as("processed: a no-op").isEmpty();
            assertThat(gc.allPublished()).isTrue();
        } finally {
            gc.unlock();
        }
    }

    @Test
    void aHeadReplacedInTheSameStageNeverReachesTheStore() {
        KvStore store = rocks("d");
        HeadTracker heads = noHeads();
        GroupCommit gc = open(store, heads, List.of());
        Block a = block(List.of(), 1, "/a", "1");
        Block b = block(List.of(a.cid()), 2, "/a", "2");
        gc.lock();
        try {
            gc.apply(a, a.toBytes(), false);
            gc.apply(b, b.toBytes(), false);
            assertThat(gc.stage().createdHeads).containsExactly(b.cid());
            gc.commit();
        } finally {
            gc.unlock();
        }
        List<byte[]> stored = new ArrayList<>();
        store.scan(keys.h, (k, v) -> stored.add(k));
        assertThat(stored).hasSize(1);
        assertThat(heads.committed(DAG)).containsOnlyKeys(b.cid());
        assertThat(gc.mergedBlocks()).as("local blocks are not merged blocks").isZero();
    }

    @Test
    void aMergeThatThrowsLeavesTheStageAsItWas() {
        KvStore store = rocks("e");
        List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
        listeners.add((key, old, nv, batch) -> {
            if (key.equals("/bad")) throw new IllegalStateException("listener refused");
        });
        GroupCommit gc = open(store, noHeads(), listeners);
        Block a = block(List.of(), 1, "/a", "1");
        Block bad = block(List.of(), 1, "/bad", "x");
        gc.lock();
        try {
            gc.apply(a, a.toBytes(), true);
            int writes = gc.stage().txn.size();
            assertThatThrownBy(() -> gc.apply(bad, bad.toBytes(), true)).hasMessageContaining("listener refused");
            assertThat(gc.stage().txn.size()).isEqualTo(writes);
            assertThat(gc.isProcessed(bad.cid())).isFalse();
            gc.commit();
        } finally {
            gc.unlock();
        }
        assertThat(store.get(keys.value("/a"))).isPresent();
        assertThat(store.get(keys.value("/bad"))).isEmpty();
    }

    @Test
    void theStageIsCommittedAtTheGroupCommitBound() {
        KvStore store = KvStores.inMemory();
        GroupCommit gc = open(store, noHeads(), List.of());
        gc.lock();
        try {
            for (int i = 0; i < GroupCommit.GROUP_COMMIT_BLOCKS - 1; i++) {
                Block x = block(List.of(), 1, "/k" + i, "v");
                gc.apply(x, x.toBytes(), true);
                gc.commitIfFull();
            }
            assertThat(gc.allPublished()).isFalse();
            Block last = block(List.of(), 1, "/last", "v");
            gc.apply(last, last.toBytes(), true);
            gc.commitIfFull();
            assertThat(gc.allPublished()).isTrue();
            assertThat(gc.hasBlock(last.cid())).isTrue();
        } finally {
            gc.unlock();
        }
    }

    @Test
    void theFrontierIsDurableAtOnceAndReloadedAtOpen() {
        KvStore store = rocks("f");
        GroupCommit gc = open(store, noHeads(), List.of());
        Block a = block(List.of(), 1, "/a", "1");
        Block r = block(List.of(), 1, "/r", "1");
        assertThat(gc.addToFrontier(a.cid())).isTrue();
        assertThat(gc.addToFrontier(r.cid())).isTrue();
        assertThat(store.get(keys.pending(a.cid()))).hasValueSatisfying(v -> assertThat(v).containsExactly(0));
        gc.dropFromFrontier(r.cid()); // rejected: removed in the stage
        assertThat(gc.pendingRecord(r.cid())).isNull();
        assertThat(store.get(keys.pending(r.cid()))).as("not before the commit").isPresent();
        gc.commitQuietly();
        assertThat(store.get(keys.pending(r.cid()))).isEmpty();
        GroupCommit reopened = open(store, noHeads(), List.of());
        assertThat(reopened.frontierCids()).containsExactly(a.cid());
        gc.close();
        assertThat(gc.addToFrontier(r.cid())).as("closed").isFalse();
        gc.clearDirtyFlag();
        assertThat(store.get(keys.dirty)).isEmpty();
    }

    @Test
    void anEarlyTombstoneDropsTheElementWhenItsBlockArrives() {
        KvStore store = rocks("g");
        GroupCommit gc = open(store, noHeads(), List.of());
        Block add = block(List.of(), 1, "/k", "v");
        Block del = Block.of(List.of(add.cid()),
                new Delta(List.of(), List.of(Element.tombstone("/k", add.cid().toString())), 2, DAG));
        gc.lock();
        try {
            gc.apply(del, del.toBytes(), true); // the delete first (top-down)
            gc.commit();
        } finally {
            gc.unlock();
        }
        assertThat(store.get(keys.early(ElementId.of(add.cid()), "/k"))).as("indexed under the canonical id").isPresent();
        gc.lock();
        try {
            gc.apply(add, add.toBytes(), true);
            gc.commit();
        } finally {
            gc.unlock();
        }
        assertThat(store.get(keys.value("/k"))).isEmpty();
        assertThat(store.get(keys.early(ElementId.of(add.cid()), "/k"))).isEmpty();
        assertThat(new String(store.get(keys.processed(add.cid())).orElseThrow(), UTF_8)).isNotEmpty();
    }
}
