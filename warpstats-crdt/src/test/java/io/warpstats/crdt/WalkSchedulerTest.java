package io.warpstats.crdt;

import static io.warpstats.crdt.TestDags.DAG;
import static io.warpstats.crdt.TestDags.block;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The walk: heads enter the durable frontier, then the queue; fetches are bounded and batched, stop
 * at the heads and the running fetches' heads, end at their deadline, are retried at the rebroadcast;
 * pushed blocks merge without a fetch; whenIdle waits for the last commit. The fetcher records every
 * call and leaves it open until the test completes it.
 */
class WalkSchedulerTest {
    record Call(List<Cid> heads, Set<Cid> frontier, Consumer<byte[]> sink, CompletableFuture<Void> done) {}

    static final class Recorder implements BlockFetcher {
        final List<Call> calls = new ArrayList<>();
        final List<CompletableFuture<Call>> waiting = new ArrayList<>();

        @Override
        public CompletableFuture<byte[]> fetch(Cid cid) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException());
        }

        @Override
        public CompletableFuture<Void> fetchBranch(Cid head, Set<Cid> frontier, Consumer<byte[]> sink) {
            return fetchBranches(List.of(head), frontier, sink);
        }

        @Override
        public CompletableFuture<Void> fetchBranches(List<Cid> heads, Set<Cid> frontier, Consumer<byte[]> sink) {
            Call c = new Call(List.copyOf(heads), Set.copyOf(frontier), sink, new CompletableFuture<>());
            CompletableFuture<Call> w;
            synchronized (this) {
                calls.add(c);
                w = calls.size() <= waiting.size() ? waiting.get(calls.size() - 1) : null;
            }
            if (w != null) w.complete(c);
            return c.done;
        }

        /** The i-th call, waiting for it up to 30 s. */
        Call await(int i) throws Exception {
            CompletableFuture<Call> f;
            synchronized (this) {
                while (waiting.size() <= i) waiting.add(new CompletableFuture<>());
                f = waiting.get(i);
                if (i < calls.size()) f.complete(calls.get(i));
            }
            return f.get(30, TimeUnit.SECONDS);
        }

        synchronized int size() {
            return calls.size();
        }
    }

    final Keys keys = new Keys("/CRDT");
    final KvStore store = KvStores.inMemory();
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final Recorder rec = new Recorder();
    HeadTracker heads;
    GroupCommit commit;
    WalkScheduler walk;

    WalkScheduler open(MerkleCrdtBuilder b) {
        heads = new HeadTracker(m -> {}, new HashMap<>());
        Rejections rejections = new Rejections(e -> {});
        commit = new GroupCommit(store, keys, heads, rejections, List.of(), "t");
        walk = new WalkScheduler(b.dagName(DAG).options(), rec, scheduler, commit, heads, rejections,
                new BlockChecks(null, WriteAuthorizer.allowAll(), true), null, "t");
        return walk;
    }

    static MerkleCrdtBuilder opts() {
        return MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO);
    }

    @AfterEach
    void close() {
        if (commit != null) commit.close();
        scheduler.shutdownNow();
    }

    @Test
    void headsAreDurableBeforeTheFetchAndQueuedHeadsShareOneFetch() throws Exception {
        open(opts().maxConcurrentFetches(1));
        Block a = block(List.of(), 1, "/a", "1"), b = block(List.of(), 1, "/b", "1"), c = block(List.of(), 1, "/c", "1");
        walk.onHead(a.cid());
        assertThat(store.get(keys.pending(a.cid()))).as("in the durable frontier").isPresent();
        assertThat(rec.await(0).heads()).containsExactly(a.cid());
        walk.onHead(b.cid());
        walk.onHead(c.cid());
        assertThat(rec.size()).as("one fetch at a time").isEqualTo(1);
        assertThat(walk.pendingBlocks()).isEqualTo(3);
        rec.await(0).done().complete(null); // a was not delivered: retried later
        assertThat(rec.await(1).heads()).containsExactly(b.cid(), c.cid());
        assertThat(walk.fetchFailures()).isEqualTo(1);
        Call second = rec.await(1);
        second.sink().accept(b.toBytes());
        second.sink().accept(c.toBytes());
        second.done().complete(null);
        assertThat(heads.committed(DAG)).as("committed when the fetch ended").containsOnlyKeys(b.cid(), c.cid());
        assertThat(walk.runningFetches()).isZero();
        walk.requeue(); // the rebroadcast retries a
        assertThat(rec.await(2).heads()).containsExactly(a.cid());
        assertThat(rec.await(2).frontier()).as("a fetch stops at the heads").contains(b.cid(), c.cid());
    }

    @Test
    void aFetchStopsAtTheHeadsOfRunningFetchesAndItsLinksAreWalkedWhenItEnds() throws Exception {
        open(opts().maxConcurrentFetches(2));
        Block a = block(List.of(), 1, "/a", "1");
        Block b = block(List.of(a.cid()), 2, "/b", "2");
        Block x = block(List.of(), 1, "/x", "1");
        walk.onHead(b.cid());
        walk.onHead(x.cid());
        assertThat(rec.await(1).frontier()).as("stops at the running fetch's head").contains(b.cid());
        Call first = rec.await(0);
        first.sink().accept(b.toBytes()); // a is discovered, not delivered by this fetch
        first.done().complete(null);
        Call third = rec.await(2);
        assertThat(third.heads()).containsExactly(a.cid());
        third.sink().accept(a.toBytes());
        third.done().complete(null);
        assertThat(commit.hasBlock(a.cid())).isTrue();
        assertThat(heads.committed(DAG)).containsOnlyKeys(b.cid());
    }

    @Test
    void aFetchEndsAtItsDeadlineAndALateBlockStillMovesTheWalk() throws Exception {
        open(opts().maxConcurrentFetches(1).fetchTimeout(Duration.ofMillis(50)));
        Block a = block(List.of(), 1, "/a", "1");
        Block b = block(List.of(a.cid()), 2, "/b", "2");
        CompletableFuture<Void> idle = new CompletableFuture<>();
        walk.onHead(b.cid());
        Call first = rec.await(0); // never completed by the fetcher
        walk.whenIdle().thenRun(() -> idle.complete(null));
        idle.get(30, TimeUnit.SECONDS); // the deadline ended the fetch: b is retried at the next rebroadcast
        assertThat(walk.fetchTimeouts()).isEqualTo(1);
        first.sink().accept(b.toBytes()); // a late block is applied and its links queued at once
        Call second = rec.await(1);
        assertThat(second.heads()).containsExactly(a.cid());
        second.sink().accept(a.toBytes());
        second.done().complete(null);
        walk.whenIdle().get(30, TimeUnit.SECONDS);
        assertThat(commit.hasBlock(a.cid())).isTrue();
        assertThat(commit.frontierSize()).isZero();
    }

    @Test
    void whenIdleWaitsForTheLastCommit() throws Exception {
        open(opts());
        Block a = block(List.of(), 1, "/a", "1");
        walk.onHead(a.cid());
        CompletableFuture<Void> idle = walk.whenIdle();
        assertThat(idle).isNotDone();
        Call c = rec.await(0);
        c.sink().accept(a.toBytes());
        assertThat(idle).as("merged, not committed").isNotDone();
        c.done().complete(null);
        idle.get(30, TimeUnit.SECONDS);
        assertThat(heads.committed(DAG)).containsOnlyKeys(a.cid());
        assertThat(walk.isIdle()).isTrue();
    }

    @Test
    void aPushedBlockOnTopOfKnownBlocksMergesWithoutAFetch() throws Exception {
        open(opts());
        Block a = block(List.of(), 1, "/a", "1");
        commit.addToFrontier(a.cid());
        commit.lock();
        try {
            commit.apply(a, a.toBytes(), true);
            commit.commit();
        } finally {
            commit.unlock();
        }
        Block b = block(List.of(a.cid()), 2, "/b", "2");
        Block orphan = block(List.of(block(List.of(), 1, "/unknown", "1").cid()), 2, "/o", "2");
        walk.onBroadcast(new CrdtBroadcast(List.of(new CrdtBroadcast.Announced(b.cid(), DAG), new CrdtBroadcast.Announced(orphan.cid(), DAG)),
                List.of(b.toBytes(), orphan.toBytes())));
        assertThat(heads.committed(DAG)).as("merged and committed at once").containsOnlyKeys(b.cid());
        assertThat(rec.await(0).heads()).as("only the orphan is fetched").containsExactly(orphan.cid());
        assertThat(rec.size()).isEqualTo(1);
    }

    @Test
    void theDurableFrontierIsResumedAtOpenAndAnnouncementsAreBounded() throws Exception {
        Block a = block(List.of(), 1, "/a", "1"), b = block(List.of(), 1, "/b", "1");
        open(opts().maxConcurrentFetches(1));
        commit.addToFrontier(a.cid()); // as a previous run left it
        WalkScheduler reopened = open(opts().maxConcurrentFetches(1));
        reopened.resume();
        assertThat(rec.await(0).heads()).containsExactly(a.cid());
        WalkScheduler bounded = open(MerkleCrdt.builder(KvStores.inMemory()).options(new MerkleCrdtOptions("/CRDT", DAG, Duration.ZERO, 10,
                Duration.ZERO, 1, 1, true)));
        bounded.onHead(a.cid()); // the one block in flight this replica allows
        bounded.onHead(b.cid()); // beyond maxPendingBlocks: dropped (not even in the frontier), announced again later
        assertThat(store.get(keys.pending(b.cid()))).isEmpty();
    }
}
