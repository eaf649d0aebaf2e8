package io.warpstats.crdt;

import static io.warpstats.crdt.TestDags.DAG;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local writes: coalescing into one generation, one block per flush linking to the heads, a large
 * generation as a chain in ONE batch (all or nothing, merged back on failure), backpressure, signing,
 * the eager push of the fresh blocks, the timer flush. The scheduler thread is held by a latch where
 * a test must control when flushes run.
 */
class LocalWriterTest {
    @TempDir
    Path dir;
    final Keys keys = new Keys("/CRDT");
    final List<CrdtBroadcast> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    final CountDownLatch hold = new CountDownLatch(1);
    ScheduledExecutorService scheduler;
    KvStore rocks;
    HeadTracker heads;
    GroupCommit commit;

    @BeforeEach
    void open() {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        rocks = KvStores.rocksDb(dir.resolve("db"));
    }

    @AfterEach
    void close() {
        hold.countDown();
        scheduler.shutdownNow();
        rocks.close();
    }

    /** Holds the scheduler thread: timer and size flushes wait until the test ends. */
    void holdScheduler() {
        scheduler.execute(() -> {
            try {
                hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    LocalWriter writer(KvStore store, MerkleCrdtBuilder b, DeltaSigner signer) {
        MerkleCrdtOptions o = b.dagName(DAG).options();
        heads = new HeadTracker(sent::add, new HashMap<>());
        commit = new GroupCommit(store, keys, heads, new Rejections(e -> {}), List.of(), "t");
        return new LocalWriter(o, keys, store, signer, commit, heads, scheduler, "t", new byte[0], new Checkpointer(keys, CompactionOptions.disabled()));
    }

    static MerkleCrdtBuilder opts() {
        return MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO);
    }

    Block stored(Cid c) {
        byte[] r = rocks.get(keys.processed(c)).orElseThrow();
        return Block.decode(java.util.Arrays.copyOfRange(r, 8, r.length));
    }

    @Test
    void aGenerationCoalescesIntoOneBlockOnTopOfTheHeads() {
        LocalWriter w = writer(rocks, opts(), null);
        w.put("/a", "1".getBytes(UTF_8));
        w.put("/a", "2".getBytes(UTF_8));
        w.put("/b", "x".getBytes(UTF_8));
        assertThat(w.pendingKeys()).isEqualTo(2);
        assertThat(w.current().get("/a")).isEqualTo("2".getBytes(UTF_8));
        w.flush();
        assertThat(w.pendingKeys()).isZero();
        assertThat(w.puts()).isEqualTo(3);
        assertThat(w.localBlocks()).isEqualTo(1);
        Cid first = heads.list(DAG).get(0).cid();
        assertThat(stored(first).delta().elements()).extracting(Element::key).containsExactly("/a", "/b");
        w.delete("/b");
        w.flush();
        List<Head> now = heads.list(DAG);
        assertThat(now).hasSize(1);
        assertThat(now.get(0).height()).isEqualTo(2);
        Block second = stored(now.get(0).cid());
        assertThat(second.links()).containsExactly(first);
        assertThat(second.delta().tombstones()).extracting(Element::key).containsExactly("/b");
        assertThat(rocks.get(keys.value("/b"))).isEmpty();
        w.flush(); // nothing pending: no block
        assertThat(w.localBlocks()).isEqualTo(2);
    }

    @Test
    void aLargeGenerationIsAChainInOneBatchAndMergedBackWhenTheWriteFails() {
        holdScheduler();
        TestDags.FaultyStore store = new TestDags.FaultyStore(rocks);
        LocalWriter w = writer(store, opts().maxBatchKeys(10).maxPendingKeys(1000), null);
        for (int i = 0; i < 35; i++) w.put("/k/" + i, ("v" + i).getBytes(UTF_8));
        store.failing.set(true);
        assertThatThrownBy(w::flush).hasMessageContaining("disk full");
        assertThat(w.pendingKeys()).as("merged back").isEqualTo(35);
        assertThat(w.current().get("/k/7")).isEqualTo("v7".getBytes(UTF_8));
        assertThat(heads.list(DAG)).isEmpty();
        assertThat(w.localBlocks()).isZero();
        assertThat(sent).isEmpty();
        w.put("/k/7", "newer".getBytes(UTF_8)); // a write after the failure wins over the merged-back one
        store.failing.set(false);
        w.flush();
        assertThat(w.localBlocks()).isEqualTo(4);
        List<Head> h = heads.list(DAG);
        assertThat(h).hasSize(1);
        assertThat(h.get(0).height()).isEqualTo(4);
        int elements = 0;
        Block b = stored(h.get(0).cid());
        while (true) {
            elements += b.delta().elements().size();
            if (b.links().isEmpty()) break;
            assertThat(b.links()).hasSize(1);
            b = stored(b.links().get(0));
        }
        assertThat(elements).isEqualTo(35);
        assertThat(rocks.get(keys.value("/k/7")).map(v -> new String(v, 8, v.length - 8, UTF_8))).contains("newer");
    }

    @Test
    void aWriterAtTheBoundFlushesItself() {
        holdScheduler();
        LocalWriter w = writer(rocks, opts().maxBatchKeys(5).maxPendingKeys(20), null);
        for (int i = 0; i < 20; i++) w.put("/k/" + i, new byte[] {1});
        assertThat(w.backpressureWaits()).isZero();
        assertThat(w.pendingKeys()).isEqualTo(20);
        w.put("/k/20", new byte[] {1});
        assertThat(w.backpressureWaits()).isEqualTo(1);
        assertThat(w.pendingKeys()).as("the 20 pending keys were flushed by the writer").isEqualTo(1);
        assertThat(heads.list(DAG)).isNotEmpty();
    }

    @Test
    void signedBlocksCoverTheirLinksAndAuthor() {
        LocalWriter w = writer(rocks, opts(), EngineTest.signer("alice"));
        w.put("/a", new byte[] {1});
        w.flush();
        w.put("/b", new byte[] {2});
        w.flush();
        Block b = stored(heads.list(DAG).get(0).cid());
        assertThat(b.delta().isSigned()).isTrue();
        assertThat(new String(b.delta().author(), UTF_8)).isEqualTo("alice");
        new BlockChecks(TestDags.verifier("mallory"), WriteAuthorizer.allowAll(), false).checkAuthor(b); // does not throw
        // the same delta signed for other links (none) does not verify under this block's links
        byte[] alice = "alice".getBytes(UTF_8);
        byte[] sigNoLinks = EngineTest.signer("alice").sign(b.delta().withSignature(alice, new byte[0]).signingPayload(List.of()));
        Block unlinked = Block.of(List.of(), b.delta().withSignature(alice, sigNoLinks));
        new BlockChecks(TestDags.verifier("mallory"), WriteAuthorizer.allowAll(), false).checkAuthor(unlinked); // does not throw
        Block forged = Block.of(b.links(), b.delta().withSignature(alice, sigNoLinks));
        assertThatThrownBy(() -> new BlockChecks(TestDags.verifier("mallory"), WriteAuthorizer.allowAll(), false).checkAuthor(forged))
                .as("the signature covers the links").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFreshBlockRidesInTheAnnouncementOnce() {
        LocalWriter w = writer(rocks, opts(), null);
        w.put("/a", new byte[] {1});
        w.flush();
        assertThat(sent).hasSize(1);
        Cid head = heads.list(DAG).get(0).cid();
        assertThat(sent.get(0).heads()).extracting(CrdtBroadcast.Announced::cid).containsExactly(head);
        assertThat(sent.get(0).blocks()).hasSize(1);
        assertThat(Cid.ofDagPb(sent.get(0).blocks().get(0))).isEqualTo(head);
        heads.announceFresh();
        assertThat(sent.get(1).blocks()).isEmpty();
    }

    @Test
    void theTimerFlushRunsOnTheSchedulerAndRejectsAfterClose() throws Exception {
        CompletableFuture<CrdtBroadcast> announced = new CompletableFuture<>();
        MerkleCrdtOptions o = opts().flushDelay(Duration.ofMillis(1)).dagName(DAG).options();
        heads = new HeadTracker(announced::complete, new HashMap<>());
        commit = new GroupCommit(rocks, keys, heads, new Rejections(e -> {}), List.of(), "t");
        LocalWriter w = new LocalWriter(o, keys, rocks, null, commit, heads, scheduler, "t", new byte[0], new Checkpointer(keys, CompactionOptions.disabled()));
        w.put("/a", new byte[] {1});
        CrdtBroadcast msg = announced.get(30, TimeUnit.SECONDS);
        assertThat(msg.heads()).hasSize(1);
        assertThat(w.pendingKeys()).isZero();
        commit.close();
        assertThatThrownBy(() -> w.put("/b", new byte[] {1})).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> w.put("", new byte[] {1})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.put("/v", new byte[LocalWriter.MAX_VALUE_BYTES + 1])).isInstanceOf(IllegalArgumentException.class);
    }
}
