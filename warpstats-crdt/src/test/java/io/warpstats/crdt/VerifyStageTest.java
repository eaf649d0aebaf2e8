package io.warpstats.crdt;

import static io.warpstats.crdt.TestDags.block;
import static io.warpstats.crdt.TestDags.signed;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verify stage: only wanted blocks are taken; unsigned blocks with nothing ahead are applied
 * directly; signed ones are checked on the pool and applied in arrival order even when their checks
 * finish out of order; a bad signature is reported and drops what hangs below it; malformed blocks
 * are thrown to the sink.
 */
class VerifyStageTest {
    @TempDir
    Path dir;
    final Keys keys = new Keys("/CRDT");
    final List<String> applied = new CopyOnWriteArrayList<>();
    final List<RejectedBlockException> rejected = new CopyOnWriteArrayList<>();
    final List<List<Cid>> relinked = new CopyOnWriteArrayList<>();
    final CountDownLatch slow = new CountDownLatch(1);
    final CompletableFuture<Void> drained = new CompletableFuture<>();
    KvStore store;
    GroupCommit commit;
    VerifyStage stage;
    volatile int drains;

    @BeforeEach
    void open() {
        store = KvStores.rocksDb(dir.resolve("db"));
    }

    @AfterEach
    void close() {
        slow.countDown();
        if (stage != null) stage.close();
        store.close();
    }

    /** A stage whose verifier makes authors named "slow…" wait for the latch and refuses "slow-mallory". */
    VerifyStage open(boolean withVerifier) {
        DeltaVerifier ok = TestDags.verifier("slow-mallory");
        DeltaVerifier v = (author, payload, sig) -> {
            if (new String(author, UTF_8).startsWith("slow")) {
                try {
                    slow.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return ok.verify(author, payload, sig);
        };
        Rejections rejections = new Rejections(rejected::add);
        commit = new GroupCommit(store, keys, new HeadTracker(m -> {}, new HashMap<>()), rejections,
                List.of((key, old, nv, batch) -> applied.add(key)), "t");
        stage = new VerifyStage(commit, rejections, new BlockChecks(withVerifier ? v : null, WriteAuthorizer.allowAll(), !withVerifier),
                withVerifier ? v : null, "t", () -> {
                    drains++; // one drainer at a time
                    if (stage.isEmpty()) drained.complete(null);
                }, relinked::add);
        return stage;
    }

    @Test
    void anUnsolicitedBlockIsIgnored() {
        VerifyStage s = open(false);
        Block a = block(List.of(), 1, "/a", "1");
        List<Cid> found = new ArrayList<>();
        s.onBlock(a.toBytes(), found, false);
        assertThat(found).isEmpty();
        assertThat(commit.isProcessed(a.cid())).isFalse();
        assertThat(applied).isEmpty();
    }

    @Test
    void anUnsignedBlockWithNothingAheadIsAppliedOnTheArrivingThread() {
        VerifyStage s = open(false);
        Block a = block(List.of(), 1, "/a", "1");
        Block b = block(List.of(a.cid()), 2, "/b", "2");
        commit.addToFrontier(b.cid());
        List<Cid> found = new ArrayList<>();
        s.onBlock(b.toBytes(), found, false);
        assertThat(commit.isProcessed(b.cid())).isTrue();
        assertThat(found).containsExactly(a.cid());
        assertThat(s.isEmpty()).isTrue();
        assertThat(drains).as("no drain on the direct path").isZero();
        s.onBlock(a.toBytes(), found, false); // wanted: b put it in the frontier
        assertThat(applied).containsExactly("/b", "/a");
    }

    @Test
    void aMalformedBlockIsRejectedThrownAndLeavesTheFrontier() {
        VerifyStage s = open(false);
        byte[] junk = "not a dag-pb node".getBytes(UTF_8);
        Cid c = Cid.ofDagPb(junk);
        commit.addToFrontier(c);
        assertThatThrownBy(() -> s.onBlock(junk, new ArrayList<>(), false)).isInstanceOf(RejectedBlockException.class);
        assertThat(rejected).extracting(RejectedBlockException::cid).containsExactly(c);
        assertThat(commit.pendingRecord(c)).isNull();
    }

    @Test
    void signedBlocksAreAppliedInArrivalOrderWhateverTheOrderOfTheirChecks() throws Exception {
        VerifyStage s = open(true);
        Block y = signed(List.of(), 1, "/y", "1", "alice");
        Block x = signed(List.of(y.cid()), 2, "/x", "2", "slow");
        commit.addToFrontier(x.cid());
        List<Cid> found = new ArrayList<>();
        s.onBlock(x.toBytes(), found, false);
        assertThat(found).as("the walk goes on below x before x is checked").containsExactly(y.cid());
        assertThat(s.linksTo(y.cid())).isTrue();
        s.onBlock(y.toBytes(), new ArrayList<>(), false); // wanted through x's links, checked at once
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.contains(y.cid())).isTrue();
        assertThat(commit.isProcessed(y.cid())).as("waits behind x").isFalse();
        slow.countDown();
        drained.get(30, TimeUnit.SECONDS);
        assertThat(applied).containsExactly("/x", "/y");
        assertThat(commit.isProcessed(x.cid())).isTrue();
        assertThat(commit.isProcessed(y.cid())).isTrue();
        assertThat(s.linksTo(y.cid())).isFalse();
        assertThat(rejected).isEmpty();
    }

    @Test
    void aBadSignatureIsReportedAndWhatHangsBelowItIsDropped() throws Exception {
        VerifyStage s = open(true);
        Block y = signed(List.of(), 1, "/y", "1", "alice");
        Block x = signed(List.of(y.cid()), 2, "/x", "2", "slow-mallory");
        commit.addToFrontier(x.cid());
        s.onBlock(x.toBytes(), new ArrayList<>(), false); // not thrown: checked on the pool
        s.onBlock(y.toBytes(), new ArrayList<>(), false); // wanted through x, which is still being checked
        assertThat(s.size()).isEqualTo(2);
        slow.countDown();
        drained.get(30, TimeUnit.SECONDS);
        assertThat(rejected).extracting(RejectedBlockException::cid).containsExactly(x.cid());
        assertThat(applied).isEmpty();
        assertThat(commit.isProcessed(y.cid())).isFalse();
        commit.commitQuietly();
        assertThat(commit.frontierSize()).isZero();
        assertThat(store.get(keys.pending(x.cid()))).isEmpty();
    }

    @Test
    void aPushedBlockHandsTheLinksItLeftUnprocessedToTheWalk() throws Exception {
        VerifyStage s = open(true);
        Block missing = block(List.of(), 1, "/m", "1");
        Block p = signed(List.of(missing.cid()), 2, "/p", "2", "alice");
        commit.addToFrontier(p.cid());
        s.onBlock(p.toBytes(), new ArrayList<>(), true);
        drained.get(30, TimeUnit.SECONDS);
        assertThat(commit.isProcessed(p.cid())).isTrue();
        assertThat(relinked).containsExactly(List.of(missing.cid()));
    }
}
