package io.warpstats.node.core;

import static io.warpstats.p2p.testing.TestHosts.addr;
import static io.warpstats.p2p.testing.TestHosts.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.Block;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.RejectedBlockException;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.replication.BlockSource;
import io.warpstats.replication.PeerPenalty;
import io.warpstats.replication.SyncClient;
import io.warpstats.replication.SyncParams;
import io.warpstats.replication.SyncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint that restates another author's key (docs/crdt.md, "Compaction": authority survives) is
 * rejected as unauthorized, nothing of it or below it is applied, and the peer that served it is
 * charged. Real hosts on 127.0.0.1, real RocksDB, Ed25519-signed deltas; the forger's own replica
 * accepts anything, so its checkpoint restates the element it wrote under the honest node's prefix.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForgedCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void aCheckpointRestatingAnotherAuthorsKeyIsRejectedAndItsSenderPenalized() {
        SyncParams params = SyncParams.defaults();
        PrivateKey honestKey = PrivateKey.generate(), forgerKey = PrivateKey.generate(), receiverKey = PrivateKey.generate();
        String honestId = PeerId.fromPublicKey(honestKey.publicKey()).toString();
        List<VerifyStageRejectionTest.Report> reports = new CopyOnWriteArrayList<>();
        try (KvStore fs = KvStores.rocksDb(dir.resolve("forger"));
             KvStore rs = KvStores.rocksDb(dir.resolve("receiver"));
             Host forgerHost = VerifyStageRejectionTest.host(forgerKey);
             Host receiverHost = VerifyStageRejectionTest.host(receiverKey);
             SyncClient client = SyncClient.create(receiverHost, params, (peer, o, d) -> reports.add(new VerifyStageRejectionTest.Report(peer, o, d)));
             MerkleCrdt forger = MerkleCrdt.builder(fs).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                     .signer(Ed25519Deltas.signer(forgerKey)).verifier(Ed25519Deltas.verifier()).authorizer((a, k) -> true)
                     .acceptUnsigned(false).build();
             MerkleCrdt receiver = MerkleCrdt.builder(rs).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                     .signer(Ed25519Deltas.signer(receiverKey)).verifier(Ed25519Deltas.verifier())
                     .authorizer(VerifyStageRejectionTest.OWN_PREFIX).acceptUnsigned(false).fetcher(client)
                     .onRejected(client::rejected).build();
             SyncServer forgerServer = SyncServer.register(forgerHost, BlockSource.of(forger.replication()), params, PeerPenalty.NONE)) {
            client.attach(receiver.replication());
            forger.put("/" + honestId + "/visits", "1000000".getBytes(UTF_8)); // under the honest node's prefix
            await(forger.flush());
            await(forger.compact()); // restates it, with its original id, in a checkpoint signed by the forger
            Cid checkpoint = forger.heads().get(0).cid();
            assertThat(Block.decode(forger.replication().block(checkpoint).orElseThrow()).delta().isCheckpoint()).isTrue();

            await(receiverHost.dial(addr(forgerHost)).thenCompose(c -> c.identified()));
            client.hint(checkpoint, forgerHost.peerId());
            receiver.replication().onHead(checkpoint);
            await(receiver.replication().whenIdle());

            assertThat(receiver.metrics().rejectedByReason().get(RejectedBlockException.Reason.UNAUTHORIZED)).isEqualTo(1);
            assertThat(reports).filteredOn(r -> r.offense() == PeerPenalty.Offense.REJECTED_BLOCK).singleElement()
                    .satisfies(r -> {
                        assertThat(r.peer()).isEqualTo(forgerHost.peerId());
                        assertThat(r.detail()).contains(checkpoint.toString()).contains("may not restate");
                    });
            assertThat(client.score(forgerHost.peerId())).isEqualTo(-PeerPenalty.Offense.REJECTED_BLOCK.points);
            assertThat(receiver.get("/" + honestId + "/visits")).isEmpty();
            assertThat(VerifyStageRejectionTest.state(receiver)).isEmpty();
        }
    }
}
