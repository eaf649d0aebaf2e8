package io.warpstats.replication;

import static io.warpstats.p2p.testing.TestHosts.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.MaterializedView;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.testing.TestHosts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replica factory: two replicas on real hosts converge through announcements and block sync alone. */
class ReplicaTest {
    @TempDir Path dir;

    @Test
    void aWriteOnOneReplicaReachesTheOtherWithoutARebroadcast() throws Exception {
        CompletableFuture<String> seen = new CompletableFuture<>();
        MaterializedView watch = MaterializedView.of("/test/seen/", "/k", (k, o, n, rows) -> {
            // onChange runs inside the batch: the value is readable once it is committed
            if (n != null) rows.afterCommit(() -> seen.complete(new String(n, UTF_8)));
        });
        Host ha = TestHosts.listening(), hb = TestHosts.listening();
        try (KvStore sa = KvStores.rocksDb(dir.resolve("a")); KvStore sb = KvStores.rocksDb(dir.resolve("b"));
             // a rebroadcast period longer than the test: only the announcement of the flush (and the heads
             // sent to a new subscriber) can carry the head
             Replica a = Replica.builder(ha, sa).rebroadcastInterval(Duration.ofHours(1)).engine(e -> e.flushDelay(Duration.ZERO)).start();
             Replica b = Replica.builder(hb, sb).rebroadcastInterval(Duration.ofHours(1)).engine(e -> e.view(watch)).start()) {
            await(ha.dial(TestHosts.addr(hb)).thenCompose(c -> c.identified()));
            for (int i = 0; i < 2_000 && await(a.pubsub().peers(a.announcer().topic())).isEmpty(); i++) {
                Thread.sleep(10); // the mesh forms on the heartbeat; bounded
            }
            assertThat(await(a.pubsub().peers(a.announcer().topic()))).as("b subscribed, seen by a").isNotEmpty();
            a.crdt().put("/k", "v".getBytes(UTF_8));
            await(a.crdt().flush());
            assertThat(seen.get(20, TimeUnit.SECONDS)).isEqualTo("v");
            assertThat(b.crdt().get("/k")).hasValueSatisfying(v -> assertThat(new String(v, UTF_8)).isEqualTo("v"));
            assertThat(b.crdt().heads()).isEqualTo(a.crdt().heads());
            assertThat(a.sync().metrics()).isNotNull();
        } finally {
            hb.close();
            ha.close();
        }
    }

    @Test
    void aLateSubscriberIsToldTheHeadsAtOnce() throws Exception {
        Host ha = TestHosts.listening(), hb = TestHosts.listening();
        try (KvStore sa = KvStores.rocksDb(dir.resolve("a")); KvStore sb = KvStores.rocksDb(dir.resolve("b"));
             Replica a = Replica.builder(ha, sa).rebroadcastInterval(Duration.ofHours(1)).start()) {
            a.crdt().put("/early", "1".getBytes(UTF_8));
            await(a.crdt().flush()); // announced to nobody
            try (Replica b = Replica.builder(hb, sb).rebroadcastInterval(Duration.ofHours(1)).start()) {
                await(hb.dial(TestHosts.addr(ha)).thenCompose(c -> c.identified()));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (b.crdt().get("/early").isEmpty() && System.nanoTime() < deadline) {
                    await(b.crdt().replication().whenIdle());
                    Thread.sleep(10); // bounded poll of a replica's state; the announcement comes on a's subscription event
                }
                assertThat(b.crdt().get("/early")).isPresent();
            }
        } finally {
            hb.close();
            ha.close();
        }
    }

    @Test
    void theReplicaStopsTakingRemoteBlocksBeforeItsEngineCloses() throws Exception {
        // The engine's close may reap for seconds; a merge then would grow the store the reap shrinks.
        // A view that holds the last flush open keeps the close there, after which no remote block may
        // be merged: the client must already be closed.
        CountDownLatch inFlush = new CountDownLatch(1), release = new CountDownLatch(1);
        MaterializedView hold = MaterializedView.of("/test/hold/", "/hold", (k, o, n, rows) -> {
            inFlush.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Host h = TestHosts.listening();
        try (KvStore s = KvStores.rocksDb(dir.resolve("d"))) {
            Replica r = Replica.builder(h, s).announce(false)
                    .engine(e -> e.flushDelay(Duration.ofHours(1)).view(hold)).start();
            r.crdt().put("/hold", "1".getBytes(UTF_8));
            Thread closer = new Thread(r::close, "closer");
            closer.start();
            try {
                assertThat(inFlush.await(20, TimeUnit.SECONDS)).isTrue();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                boolean clientClosed = false;
                while (!clientClosed && System.nanoTime() < deadline) {
                    CompletableFuture<Void> f = r.sync().fetchBranch(Cid.ofDagPb("x".getBytes(UTF_8)), Set.of(), b -> {});
                    clientClosed = f.isCompletedExceptionally()
                            && f.handle((v, e) -> String.valueOf(e)).join().contains("sync client closed");
                    if (!clientClosed) Thread.sleep(50); // bounded poll: the close runs on its own thread
                }
                assertThat(clientClosed).as("client closed while the last flush runs").isTrue();
                assertThat(closer.isAlive()).isTrue();
            } finally {
                release.countDown();
                closer.join(30_000);
            }
            assertThat(closer.isAlive()).isFalse();
        } finally {
            h.close();
        }
    }

    @Test
    void closingTheReplicaLeavesTheHostAndTheStoreToTheCaller() {
        Host h = TestHosts.listening();
        try (KvStore s = KvStores.rocksDb(dir.resolve("c"))) {
            Replica r = Replica.builder(h, s).announce(false).start();
            r.crdt().put("/x", "1".getBytes(UTF_8));
            r.close();
            r.close(); // idempotent
            s.put("/still/open".getBytes(UTF_8), new byte[] {1});
            assertThat(h.listenAddresses()).isNotEmpty();
        } finally {
            h.close();
        }
    }
}
