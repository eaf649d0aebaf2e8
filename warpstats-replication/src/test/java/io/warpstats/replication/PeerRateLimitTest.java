package io.warpstats.replication;

import static io.warpstats.p2p.testing.TestHosts.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.Stream;
import io.warpstats.p2p.limit.Rate;
import io.warpstats.replication.PeerPenalty.Offense;
import io.warpstats.replication.SyncMessage.Branch;
import io.warpstats.replication.SyncMessage.Code;
import io.warpstats.replication.SyncMessage.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-peer rate limits on real hosts over TCP on 127.0.0.1: a peer flooding sync requests is answered BUSY,
 * then REFUSED with its stream closed, and charged until its score reaches the ban threshold, while an honest
 * peer is served; a peer flooding announcements has them ignored, then rejected, is charged, and is graylisted
 * by gossipsub's own score while honest replicas keep converging; an honest catch-up with the default limits is never limited.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PeerRateLimitTest {
    @TempDir Path dir;

    private static void write(SyncTestNode n, String key) {
        n.crdt.put(key, n.host.peerId().toString().getBytes(StandardCharsets.UTF_8));
        await(n.crdt.flush());
    }

    private static void syncFrom(SyncTestNode to, SyncTestNode from) {
        for (var h : from.crdt.heads()) to.crdt.replication().onHead(h.cid());
        await(to.crdt.replication().whenIdle());
    }

    /** The points the reports about {@code peer} cost it, fed into a real score table with the default threshold. */
    private static PeerScores scores(SyncTestNode n, PeerId peer, SyncParams p) {
        PeerScores s = new PeerScores(100, p.banThreshold(), p.banDuration().toNanos(), System::nanoTime);
        for (var r : n.reports) if (r.peer().equals(peer)) s.penalize(peer, r.offense().points);
        return s;
    }

    private static long count(SyncTestNode n, PeerId peer, Offense o) {
        return n.reports.stream().filter(r -> r.peer().equals(peer) && r.offense() == o).count();
    }

    @Test
    void aSyncRequestFloodIsSlowedRefusedAndChargedWhileAnHonestPeerIsServed() {
        SyncParams params = SyncParams.defaults().toBuilder().requestRate(Rate.of(20, 20)).hardLimitFactor(2).build();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode hostile = new SyncTestNode(dir.resolve("h"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            for (int i = 0; i < 5; i++) write(a, "/k/" + i);
            hostile.connect(a);
            b.connect(a);
            PeerId h = hostile.host.peerId();
            List<Cid> heads = a.crdt.heads().stream().map(x -> x.cid()).toList();
            SyncCodec.Limits limits = SyncCodec.Limits.of(params);
            Map<Code, Integer> codes = new EnumMap<>(Code.class);
            // the flood: sync requests back to back, a new stream whenever one is refused (bounded in count)
            Stream s = null;
            for (int i = 0; i < 2_000 && scores(a, h, params).admits(h); i++) {
                if (s == null) s = await(hostile.host.newStream(a.host.peerId(), List.of(SyncServer.PROTOCOL)));
                await(s.writeMessage(SyncCodec.encode(new Branch(heads, List.of(), 0))));
                Status st = null;
                while (st == null) {
                    SyncMessage m = SyncCodec.decode(await(s.readMessage(params.maxFrameBytes())), limits);
                    if (m instanceof Status x) st = x;
                }
                codes.merge(st.code(), 1, Integer::sum);
                if (st.code() == Code.REFUSED) { // then the server ends the stream
                    assertThat(await(s.readMessage(params.maxFrameBytes()).exceptionally(e -> null))).isNull();
                    s.close();
                    s = null;
                }
            }
            assertThat(codes.get(Code.COMPLETE)).as("%s", codes).isBetween(20, 60); // the burst, then the rate
            assertThat(codes).containsKeys(Code.BUSY, Code.REFUSED);
            assertThat(count(a, h, Offense.RATE_LIMITED)).isPositive();
            assertThat(count(a, h, Offense.FLOOD)).isBetween(9L, 10L);
            assertThat(scores(a, h, params).admits(h)).as("the flooder's score reached the ban threshold").isFalse();

            // meanwhile the honest peer is served and charged nothing
            write(a, "/after-the-flood");
            syncFrom(b, a);
            assertThat(b.state()).isEqualTo(a.state());
            assertThat(count(a, b.host.peerId(), Offense.RATE_LIMITED) + count(a, b.host.peerId(), Offense.FLOOD)).isZero();
            System.out.printf("sync request flood: %s; reports about the flooder %d%n", codes,
                    a.reports.stream().filter(r -> r.peer().equals(h)).count());
        }
    }

    @Test
    void anHonestCatchUpBurstIsNotLimitedByTheDefaults() {
        SyncParams params = SyncParams.defaults().withBlockBudget(10); // one sync request per 10 blocks
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            for (int i = 0; i < 500; i++) write(a, "/k/" + (i % 50));
            b.connect(a);
            syncFrom(b, a);
            assertThat(b.state()).as("%s %s %s %s", b.client.metrics(), a.server.metrics(), a.reports, b.reports).isEqualTo(a.state());
            assertThat(a.server.metrics().requests()).isGreaterThanOrEqualTo(50);
            assertThat(((SyncServerImpl) a.server).requestLimits.slowed()).isZero();
            assertThat(a.reports).isEmpty();
        }
    }

    @Test
    void anAnnouncementFloodIsIgnoredRejectedAndChargedWhileHonestReplicasConverge() throws Exception {
        SyncParams params = SyncParams.defaults().toBuilder().announceRate(Rate.of(5, 10)).hardLimitFactor(2).build();
        SyncParams hostileParams = params.toBuilder().announceRate(Rate.OFF).build(); // its own validator must not stop it
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, true);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, true);
             SyncTestNode hostile = new SyncTestNode(dir.resolve("h"), hostileParams, true)) {
            a.connect(b);
            hostile.connect(a);
            String topic = a.broadcaster.topic();
            for (SyncTestNode n : List.of(hostile, b)) {
                for (int i = 0; i < 200 && !await(n.pubsub.peers(topic)).contains(a.host.peerId()); i++) {
                    await(CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(25, TimeUnit.MILLISECONDS)));
                }
                assertThat(await(n.pubsub.peers(topic))).contains(a.host.peerId());
            }
            write(a, "/a/0");
            Cid head = a.crdt.heads().get(0).cid();
            PeerId h = hostile.host.peerId();
            // the flood (a head a holds: nothing to fetch), on another thread while the honest replicas write
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 400; i++) {
                    await(hostile.pubsub.publish(topic, Announcement.encode(List.of(new CrdtBroadcast.Announced(head, "")), List.of())));
                }
            });
            for (int i = 0; i < 20; i++) {
                write(a, "/a/" + i);
                write(b, "/b/" + i);
            }
            flood.get(60, TimeUnit.SECONDS);
            // converged (bounded wait): the honest announcements were never limited
            for (int i = 0; i < 400 && !(a.state().equals(b.state()) && a.state().size() == 40); i++) {
                await(a.crdt.replication().whenIdle());
                await(b.crdt.replication().whenIdle());
                await(CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)));
            }
            assertThat(a.state()).hasSize(40).isEqualTo(b.state());
            assertThat(count(a, h, Offense.RATE_LIMITED)).isPositive();
            assertThat(count(a, h, Offense.FLOOD)).as("%s %s", a.reports.size(), a.pubsub.metrics()).isPositive();
            // a few REJECTs and gossipsub's score (P4) graylists the flooder: the rest of its flood is dropped unread
            assertThat(a.pubsub.metrics().graylistedRpcs()).as("%s", a.pubsub.metrics()).isPositive();
            assertThat(scores(a, h, params).score(h)).isNegative();
            assertThat(a.reports).allSatisfy(r -> assertThat(r.peer()).isEqualTo(h));
            assertThat(b.reports).as("b hears the flood relayed by a, if at all: never charged to a").isEmpty();
            System.out.printf("announcement flood: a reported %d offenses of the flooder; a's pubsub %s%n",
                    a.reports.size(), a.pubsub.metrics());
        }
    }
}
