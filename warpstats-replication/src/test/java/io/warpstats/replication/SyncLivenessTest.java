package io.warpstats.replication;

import static io.warpstats.p2p.testing.TestHosts.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.Block;
import io.warpstats.multiformats.Cid;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Liveness of block sync: every fetch ends, and a walk that stopped half-way is always completed. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyncLivenessTest {
    @TempDir
    Path dir;

    private static void writeChain(SyncTestNode n, int depth) {
        for (int i = 0; i < depth; i++) {
            n.crdt.put("/k/" + i, (n.host.peerId() + "-" + i).getBytes(StandardCharsets.UTF_8));
            await(n.crdt.flush());
        }
    }

    /** Polls {@code cond} (retrying the replica's failed fetches each round) until true or the deadline. */
    private static boolean retryUntil(SyncTestNode n, long millis, BooleanSupplier cond) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            n.crdt.replication().rebroadcast();
            await(n.crdt.replication().whenIdle());
            if (cond.getAsBoolean()) return true;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return cond.getAsBoolean();
    }

    /**
     * The failure of PartitionTest under load: a walk interrupted after the head was merged (the head
     * is processed, the blocks below it are in the walk frontier). The retry asks for a frontier block
     * with the replica's heads as "have"; the server must not take the asked block for one the asker
     * holds just because a "have" block links to it.
     */
    @Test
    void walkInterruptedBelowAMergedHeadIsCompleted() {
        SyncParams params = SyncParams.defaults();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false);
             SyncTestNode partial = new SyncTestNode(dir.resolve("c"), params, false)) {
            writeChain(a, 5);
            Cid head = a.crdt.heads().get(0).cid();
            Cid below = Block.decode(a.crdt.replication().block(head).orElseThrow()).links().get(0);
            // a peer that holds only the head: b's walk stops below it
            partial.server.close();
            SyncServer.register(partial.host, cid -> cid.equals(head) ? a.crdt.replication().block(cid) : Optional.empty(), params, PeerPenalty.NONE);
            b.connect(partial);
            b.crdt.replication().onHead(head);
            await(b.crdt.replication().whenIdle());
            assertThat(b.crdt.heads()).isEqualTo(a.crdt.heads());
            assertThat(b.crdt.replication().block(below)).isEmpty();
            assertThat(b.crdt.metrics().pendingBlocks()).isPositive();

            // a peer with the whole branch appears: the retried fetch must complete the walk
            b.connect(a);
            boolean done = retryUntil(b, 10_000, () -> b.crdt.metrics().pendingBlocks() == 0);
            assertThat(done).as("walk completed; b %s, client %s", b.crdt.metrics(), b.client.metrics()).isTrue();
            assertThat(b.state()).isEqualTo(a.state());
        }
    }

    /**
     * The failure of the long fault-injection run: a walk frontier block left behind while the DAG
     * grew far above it. The retry asks for it with the replica's heads as "have"; the server's known
     * walk from those heads spent its whole step budget before reaching the asked block, so it answered
     * with nothing but that block as the continuation, on every retry, and the blocks under it never merged.
     */
    @Test
    void walkFrontierFarBelowTheHeadsIsCompleted() {
        SyncParams params = SyncParams.defaults().toBuilder().blockBudget(50).maxWalkSteps(100).build();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false);
             SyncTestNode partial = new SyncTestNode(dir.resolve("c"), params, false)) {
            writeChain(a, 5);
            Cid oldHead = a.crdt.heads().get(0).cid();
            java.util.Set<Cid> below = new java.util.HashSet<>();
            for (Cid c = oldHead; ; ) { // the old blocks under its head: what the partial peer lacks
                java.util.List<Cid> links = Block.decode(a.crdt.replication().block(c).orElseThrow()).links();
                if (links.isEmpty()) break;
                c = links.get(0);
                below.add(c);
            }
            partial.server.close();
            SyncServer.register(partial.host, cid -> below.contains(cid) ? Optional.empty() : a.crdt.replication().block(cid),
                    params, PeerPenalty.NONE);
            b.connect(partial);
            b.crdt.replication().onHead(oldHead);
            await(b.crdt.replication().whenIdle());
            writeChain(a, 3 * params.maxWalkSteps()); // the DAG grows far above the frontier block
            b.crdt.replication().onHead(a.crdt.heads().get(0).cid());
            await(b.crdt.replication().whenIdle());
            assertThat(b.crdt.heads()).isEqualTo(a.crdt.heads());
            assertThat(b.crdt.metrics().pendingBlocks()).isPositive();

            b.connect(a);
            boolean done = retryUntil(b, 10_000, () -> b.crdt.metrics().pendingBlocks() == 0);
            assertThat(done).as("walk completed; b %s, client %s", b.crdt.metrics(), b.client.metrics()).isTrue();
            assertThat(b.state()).isEqualTo(a.state());
        }
    }

    /**
     * A head only announced, that every asked peer answers it lacks (made up by a hostile peer, say),
     * leaves the walk frontier instead of being asked for at every rebroadcast; a block below a held
     * one that no peer serves stays (see the test above), and real heads are still fetched.
     */
    @Test
    void anAnnouncedHeadNoPeerHoldsLeavesTheFrontier() {
        SyncParams params = SyncParams.defaults();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            writeChain(a, 3);
            b.connect(a);
            Cid madeUp = Cid.ofDagPb("a block nobody holds".getBytes(StandardCharsets.UTF_8));
            b.client.hint(madeUp, a.host.peerId());
            b.crdt.replication().onHead(madeUp);
            boolean dropped = retryUntil(b, 10_000, () -> b.crdt.metrics().pendingBlocks() == 0);
            assertThat(dropped).as("made-up head dropped; b %s", b.crdt.metrics()).isTrue();
            long requests = b.client.metrics().requests();
            b.crdt.replication().rebroadcast();
            await(b.crdt.replication().whenIdle());
            assertThat(b.client.metrics().requests()).as("not asked for again at a rebroadcast").isEqualTo(requests);
            b.crdt.replication().onHead(a.crdt.heads().get(0).cid());
            assertThat(retryUntil(b, 10_000, () -> b.state().equals(a.state()))).as("a real head is fetched").isTrue();
        }
    }

    /** A server that takes a request and never answers: the client times out, asks the next peer, the walk completes. */
    @Test
    void stalledServerTimesOutAndAnotherPeerServes() {
        SyncParams params = SyncParams.defaults().withRequestTimeout(java.time.Duration.ofMillis(500));
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false);
             SyncTestNode staller = new SyncTestNode(dir.resolve("c"), params, false)) {
            writeChain(a, 20);
            staller.server.close();
            java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
            // answers the first block, then its walk blocks forever: the stall is mid-answer
            java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
            SyncServer.register(staller.host, cid -> {
                if (served.incrementAndGet() > 1) {
                    try {
                        never.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return a.crdt.replication().block(cid);
            }, params, PeerPenalty.NONE);
            b.connect(staller);
            b.connect(a);
            Cid head = a.crdt.heads().get(0).cid();
            b.client.hint(head, staller.host.peerId()); // the staller is asked first
            b.crdt.replication().onHead(head);
            boolean done = retryUntil(b, 15_000, () -> b.crdt.metrics().pendingBlocks() == 0);
            never.countDown();
            assertThat(done).as("b %s, client %s", b.crdt.metrics(), b.client.metrics()).isTrue();
            assertThat(b.state()).isEqualTo(a.state());
            assertThat(b.reports).anySatisfy(r -> {
                assertThat(r.peer()).isEqualTo(staller.host.peerId());
                assertThat(r.offense()).isEqualTo(PeerPenalty.Offense.TIMEOUT);
            });
        }
    }

    /**
     * A replica slow to merge what it fetched (each visible change takes 25 ms: an overloaded machine) reads an
     * answer long after the server sent it. The request timeout counts only the time the client waits on the server,
     * so the honest server is not charged TIMEOUT for the client's own slowness (it was, when the timeout counted
     * from the request: 40 blocks of 20 kB, several frames, merged in about a second against a 300 ms timeout), and the
     * fetch completes.
     */
    @Test
    void aClientSlowToMergeDoesNotChargeTheServer() {
        SyncParams params = SyncParams.defaults().withRequestTimeout(java.time.Duration.ofMillis(300));
        io.warpstats.crdt.MaterializedView slow = new io.warpstats.crdt.MaterializedView() {
            @Override public String name() { return "/slow/"; }
            @Override public String watchedPrefix() { return "/k/"; }
            @Override public void onChange(String key, byte[] oldValue, byte[] newValue, io.warpstats.crdt.ViewRows rows) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25)); // the merge's work
            }
        };
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false, e -> e.view(slow))) {
            byte[] value = new byte[20_000]; // 40 blocks of 20 kB: an answer of several frames, read as the merge goes
            for (int i = 0; i < 40; i++) {
                value[0] = (byte) i;
                a.crdt.put("/k/" + i, value.clone());
                await(a.crdt.flush());
            }
            b.connect(a);
            b.crdt.replication().onHead(a.crdt.heads().get(0).cid());
            await(b.crdt.replication().whenIdle());
            assertThat(b.state()).isEqualTo(a.state());
            assertThat(b.reports).as("penalties the slow client charged").isEmpty();
            assertThat(b.client.metrics().failures()).isZero();
        }
    }

    /** Many concurrent fetches from one peer: the client never opens more streams than the server allows. */
    @Test
    void clientNeverExceedsTheServersStreamLimit() {
        SyncParams params = SyncParams.defaults();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            writeChain(a, 60);
            java.util.List<Cid> cids = new java.util.ArrayList<>();
            Cid c = a.crdt.heads().get(0).cid();
            while (true) {
                cids.add(c);
                java.util.List<Cid> links = Block.decode(a.crdt.replication().block(c).orElseThrow()).links();
                if (links.isEmpty()) break;
                c = links.get(0);
            }
            b.connect(a);
            for (int round = 0; round < 3; round++) {
                java.util.List<java.util.concurrent.CompletableFuture<byte[]>> fs = new java.util.ArrayList<>();
                for (Cid x : cids) fs.add(b.client.fetch(x));
                for (var f : fs) await(f);
            }
            assertThat(a.reports).as("server penalties").isEmpty();
            assertThat(((SyncServerImpl) a.server).busyStreams.sum()).as("streams over the limit").isZero();
            assertThat(b.client.metrics().failures()).isZero();
        }
    }

    /**
     * The only peer that holds the blocks timed out a hundred times (an overloaded honest peer): the client
     * still asks it, and the walk completes. Before, 20 timeouts banned it for 10 minutes.
     */
    @Test
    void aPeerThatTimedOutManyTimesIsStillAsked() {
        SyncParams params = SyncParams.defaults();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            writeChain(a, 10);
            b.connect(a);
            SyncClientImpl client = (SyncClientImpl) b.client;
            for (int i = 0; i < 100; i++) client.penalize(a.host.peerId(), PeerPenalty.Offense.TIMEOUT, "test");
            assertThat(client.admits(a.host.peerId())).isTrue();
            assertThat(b.client.score(a.host.peerId())).isBetween(params.banThreshold() / 2, params.banThreshold() / 2 + 10);
            assertThat(b.client.metrics().bannedPeers()).isZero();
            b.crdt.replication().onHead(a.crdt.heads().get(0).cid());
            assertThat(retryUntil(b, 10_000, () -> b.crdt.metrics().pendingBlocks() == 0)).isTrue();
            assertThat(b.state()).isEqualTo(a.state());
            for (int i = 0; i < 2; i++) client.penalize(a.host.peerId(), PeerPenalty.Offense.MALFORMED, "test");
            assertThat(b.client.metrics().bannedPeers()).as("a hostile offense still bans").isEqualTo(1);
        }
    }

    /** A peer banned by the client is asked again once the ban expires. */
    @Test
    void bannedPeerIsForgivenAfterTheBan() throws Exception {
        SyncParams params = SyncParams.defaults().withBanDuration(java.time.Duration.ofMillis(300));
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            writeChain(a, 3);
            b.connect(a);
            SyncClientImpl client = (SyncClientImpl) b.client;
            for (int i = 0; i < 3; i++) client.penalize(a.host.peerId(), PeerPenalty.Offense.MALFORMED, "test");
            assertThat(b.client.score(a.host.peerId())).isLessThanOrEqualTo(params.banThreshold());
            Cid head = a.crdt.heads().get(0).cid();
            // banned: nobody to ask
            assertThat(b.client.fetch(head)).failsWithin(5, TimeUnit.SECONDS);
            Thread.sleep(400);
            assertThat(b.client.score(a.host.peerId())).isZero();
            b.crdt.replication().onHead(head);
            assertThat(retryUntil(b, 10_000, () -> b.crdt.metrics().pendingBlocks() == 0)).isTrue();
            assertThat(b.state()).isEqualTo(a.state());
        }
    }
}
