package io.warpstats.node.core;

import static io.warpstats.p2p.testing.TestHosts.addr;
import static io.warpstats.p2p.testing.TestHosts.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.WriteAuthorizer;
import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.testing.TestHosts;
import io.warpstats.replication.PeerPenalty;
import io.warpstats.replication.SyncClient;
import io.warpstats.replication.SyncParams;
import io.warpstats.replication.SyncServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A block rejected by the engine's parallel verify stage (after the sync client's sink returned)
 * is charged to the peer that served it, wired as {@link DefaultNode} wires it
 * ({@code onRejected → SyncClient.rejected}). Real hosts on 127.0.0.1, real RocksDB, Ed25519
 * signed deltas; the forger signs correctly but writes under another author's prefix.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VerifyStageRejectionTest {
    @TempDir
    Path dir;

    /** An author may write only below "/" + its peer id + "/". */
    static final WriteAuthorizer OWN_PREFIX = (author, key) -> author != null && key.startsWith("/" + author + "/");

    record Report(PeerId peer, PeerPenalty.Offense offense, String detail) {}

    static Host host(PrivateKey key) {
        return TestHosts.listening(key, HostOptions.defaults());
    }

    static TreeMap<String, String> state(MerkleCrdt c) {
        TreeMap<String, String> m = new TreeMap<>();
        c.query("/", (k, v) -> m.put(k, new String(v, UTF_8)));
        return m;
    }

    @Test
    void senderOfABlockRejectedByTheVerifyStageIsPenalizedAndTheHonestNodeConverges() throws Exception {
        SyncParams params = SyncParams.defaults();
        PrivateKey honestKey = PrivateKey.generate(), forgerKey = PrivateKey.generate(), receiverKey = PrivateKey.generate();
        String honestId = PeerId.fromPublicKey(honestKey.publicKey()).toString();
        List<Report> reports = new CopyOnWriteArrayList<>();
        try (KvStore hs = KvStores.rocksDb(dir.resolve("honest"));
             KvStore fs = KvStores.rocksDb(dir.resolve("forger"));
             KvStore rs = KvStores.rocksDb(dir.resolve("receiver"));
             Host honestHost = host(honestKey);
             Host forgerHost = host(forgerKey);
             Host receiverHost = host(receiverKey);
             SyncClient client = SyncClient.create(receiverHost, params, (peer, o, d) -> reports.add(new Report(peer, o, d)));
             MerkleCrdt honest = MerkleCrdt.builder(hs).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                     .signer(Ed25519Deltas.signer(honestKey)).verifier(Ed25519Deltas.verifier()).authorizer(OWN_PREFIX)
                     .acceptUnsigned(false).build();
             // the forger's own replica accepts anything; its signature is valid, its write is not allowed
             MerkleCrdt forger = MerkleCrdt.builder(fs).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                     .signer(Ed25519Deltas.signer(forgerKey)).verifier(Ed25519Deltas.verifier()).authorizer((a, k) -> true)
                     .acceptUnsigned(false).build();
             MerkleCrdt receiver = MerkleCrdt.builder(rs).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                     .signer(Ed25519Deltas.signer(receiverKey)).verifier(Ed25519Deltas.verifier()).authorizer(OWN_PREFIX)
                     .acceptUnsigned(false).fetcher(client).onRejected(client::rejected).build();
             SyncServer honestServer = SyncServer.register(honestHost, honest.replication()::block, params, PeerPenalty.NONE);
             SyncServer forgerServer = SyncServer.register(forgerHost, forger.replication()::block, params, PeerPenalty.NONE)) {
            client.attach(receiver.replication());
            honest.put("/" + honestId + "/visits", "7".getBytes(UTF_8));
            await(honest.flush());
            forger.put("/" + honestId + "/visits", "1000000".getBytes(UTF_8)); // under the honest node's prefix
            await(forger.flush());
            await(receiverHost.dial(addr(forgerHost)).thenCompose(c -> c.identified()));
            await(receiverHost.dial(addr(honestHost)).thenCompose(c -> c.identified()));

            Cid forged = forger.heads().get(0).cid();
            client.hint(forged, forgerHost.peerId());
            receiver.replication().onHead(forged);
            for (var h : honest.heads()) receiver.replication().onHead(h.cid());
            await(receiver.replication().whenIdle());

            assertThat(receiver.metrics().rejectedBlocks()).as("rejected by the verify stage").isEqualTo(1);
            assertThat(reports).as("the forger is charged once").filteredOn(r -> r.offense() == PeerPenalty.Offense.REJECTED_BLOCK)
                    .singleElement().satisfies(r -> {
                        assertThat(r.peer()).isEqualTo(forgerHost.peerId());
                        assertThat(r.detail()).contains(forged.toString());
                    });
            assertThat(reports).as("the honest peer is never charged").noneMatch(r -> r.peer().equals(honestHost.peerId()));
            assertThat(client.score(forgerHost.peerId())).isEqualTo(-PeerPenalty.Offense.REJECTED_BLOCK.points);
            assertThat(client.score(honestHost.peerId())).isZero();
            assertThat(state(receiver)).isEqualTo(state(honest));
            assertThat(receiver.heads()).isEqualTo(honest.heads());
        }
    }
}
