package io.warpstats.replication;

import static io.warpstats.p2p.testing.TestHosts.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.Block;
import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.Varint;
import io.warpstats.p2p.Stream;
import io.warpstats.replication.SyncMessage.Code;
import io.warpstats.replication.SyncMessage.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SyncNetworkTest {
    @TempDir
    Path dir;

    private static void writeChain(SyncTestNode n, int depth) {
        for (int i = 0; i < depth; i++) {
            n.crdt.put("/k/" + (i % 50), (n.host.peerId() + "-" + n.crdt.metrics().localBlocks()).getBytes(StandardCharsets.UTF_8));
            await(n.crdt.flush());
        }
    }

    private static void syncFrom(SyncTestNode to, SyncTestNode from) {
        for (var h : from.crdt.heads()) to.crdt.replication().onHead(h.cid());
        await(to.crdt.replication().whenIdle());
    }

    @Test
    void deepBranchInFewRoundTrips() {
        int depth = 1200, budget = 300;
        SyncParams params = SyncParams.defaults().withBlockBudget(budget);
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            writeChain(a, depth);
            b.connect(a);
            syncFrom(b, a);
            assertThat(b.state()).isEqualTo(a.state());
            assertThat(b.crdt.heads()).isEqualTo(a.crdt.heads());
            assertThat(b.client.metrics().blocks()).isEqualTo(depth);
            System.out.printf("sync: branch of %d blocks, budget %d: %d round trips, %d wire bytes for %d block bytes%n", depth, budget,
                    b.client.metrics().requests(), b.client.metrics().wireBytes(), b.client.metrics().blockBytes());
            assertThat(b.client.metrics().requests()).isLessThanOrEqualTo((depth + budget - 1) / budget + 1);
            assertThat(a.server.metrics().requests()).isEqualTo(b.client.metrics().requests());

            // a later write costs one round trip with one block: the answer stops at b's heads
            writeChain(a, 1);
            long before = b.client.metrics().requests();
            syncFrom(b, a);
            assertThat(b.client.metrics().requests() - before).isEqualTo(1);
            assertThat(b.client.metrics().blocks()).isEqualTo(depth + 1);
            assertThat(b.reports).isEmpty();
        }
    }

    @Test
    void concurrentBranchesStopAtCommonHistory() {
        SyncParams params = SyncParams.defaults();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            writeChain(a, 200);
            b.connect(a);
            syncFrom(b, a);
            long blocks = b.client.metrics().blocks();
            // both write concurrently: b's heads are unknown to a, but their ancestors are not
            writeChain(a, 3);
            writeChain(b, 3);
            syncFrom(b, a);
            syncFrom(a, b);
            assertThat(b.state()).isEqualTo(a.state());
            assertThat(b.client.metrics().blocks() - blocks).isEqualTo(3);
            assertThat(a.client.metrics().blocks()).as("%s %s", a.client.metrics(), a.crdt.metrics()).isEqualTo(3);
        }
    }

    @Test
    void corruptPeerIsPenalizedAndBlockFetchedElsewhere() {
        SyncParams params = SyncParams.defaults().withBlockBudget(100);
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false);
             SyncTestNode liar = new SyncTestNode(dir.resolve("c"), params, false)) {
            writeChain(a, 150);
            // the liar serves a's blocks, but one of them with a flipped byte
            List<Cid> chain = new ArrayList<>();
            Cid c = a.crdt.heads().get(0).cid();
            for (int i = 0; i < 40; i++) {
                chain.add(c);
                c = Block.decode(a.crdt.replication().block(c).orElseThrow()).links().get(0);
            }
            Cid corrupt = chain.get(37);
            liar.server.close();
            SyncServer.register(liar.host, cid -> a.crdt.replication().block(cid).map(bytes -> {
                if (!cid.equals(corrupt)) return bytes;
                byte[] bad = bytes.clone();
                bad[bad.length - 1] ^= 1;
                return bad;
            }), params, PeerPenalty.NONE);
            b.connect(liar);
            b.connect(a);
            Cid head = a.crdt.heads().get(0).cid();
            b.client.hint(head, liar.host.peerId()); // ask the liar first
            syncFrom(b, a);
            assertThat(b.state()).isEqualTo(a.state());
            assertThat(b.crdt.heads()).isEqualTo(a.crdt.heads());
            assertThat(b.reports).anySatisfy(r -> {
                assertThat(r.peer()).isEqualTo(liar.host.peerId());
                assertThat(r.offense()).isEqualTo(PeerPenalty.Offense.WRONG_BLOCK);
            });
            assertThat(b.client.score(liar.host.peerId())).isNegative();
            assertThat(b.client.score(a.host.peerId())).isZero();
        }
    }

    @Test
    void garbageAndOversizeRequestsCloseTheStream() {
        SyncParams params = SyncParams.defaults();
        try (SyncTestNode a = new SyncTestNode(dir.resolve("a"), params, false);
             SyncTestNode b = new SyncTestNode(dir.resolve("b"), params, false)) {
            b.connect(a);
            SyncCodec.Limits limits = SyncCodec.Limits.of(params);
            // garbage: a REFUSED status, then the end of the stream
            Stream s = await(b.host.newStream(a.host.peerId(), List.of(SyncServer.PROTOCOL)));
            await(s.writeMessage(new byte[] {(byte) 0xff, 0x01, 0x02, 0x03}));
            SyncMessage answer = SyncCodec.decode(await(s.readMessage(1 << 20)), limits);
            assertThat(answer).isInstanceOf(Status.class);
            assertThat(((Status) answer).code()).isEqualTo(Code.REFUSED);
            assertThat(await(s.readMessage(1 << 20).exceptionally(e -> null))).isNull();
            // an answer frame sent as a request
            Stream s2 = await(b.host.newStream(a.host.peerId(), List.of(SyncServer.PROTOCOL)));
            await(s2.writeMessage(SyncCodec.encode(Status.of(Code.COMPLETE, ""))));
            assertThat(((Status) SyncCodec.decode(await(s2.readMessage(1 << 20)), limits)).code()).isEqualTo(Code.REFUSED);
            // oversize: a length prefix beyond maxRequestBytes resets the stream
            Stream s3 = await(b.host.newStream(a.host.peerId(), List.of(SyncServer.PROTOCOL)));
            await(s3.write(Varint.encode(params.maxRequestBytes() + 1L)));
            CompletableFuture<byte[]> r = s3.readMessage(1 << 20);
            Optional<byte[]> got = await(r.handle((v, e) -> Optional.ofNullable(v)));
            assertThat(got.isPresent()).isFalse();
            await(s3.closeFuture().orTimeout(10, TimeUnit.SECONDS));
            assertThat(a.reports).hasSizeGreaterThanOrEqualTo(3)
                    .allSatisfy(rep -> assertThat(rep.offense()).isEqualTo(PeerPenalty.Offense.MALFORMED));
            assertThat(a.server.metrics().requests()).isZero();
        }
    }
}
