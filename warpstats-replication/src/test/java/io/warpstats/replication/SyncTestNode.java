package io.warpstats.replication;

import static io.warpstats.p2p.testing.TestHosts.await;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.pubsub.PubSub;
import io.warpstats.p2p.testing.TestHosts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A replica on a real host for the tests: RocksDB store, sync client and server, optional pubsub. */
final class SyncTestNode implements AutoCloseable {
    record Report(PeerId peer, PeerPenalty.Offense offense, String detail) {}

    final Host host;
    final KvStore store;
    final SyncClient client;
    final SyncServer server;
    final MerkleCrdt crdt;
    final PubSub pubsub;
    final PubSubBroadcaster broadcaster;
    final List<Report> reports = new CopyOnWriteArrayList<>();

    SyncTestNode(Path dir, SyncParams params, boolean withPubSub) {
        host = TestHosts.listening(HostOptions.defaults());
        store = KvStores.rocksDb(dir, false);
        PeerPenalty penalty = (peer, o, d) -> reports.add(new Report(peer, o, d));
        client = SyncClient.create(host, params, penalty);
        if (withPubSub) {
            pubsub = PubSub.create(host);
            broadcaster = PubSubBroadcaster.create(pubsub, "", client, Duration.ofSeconds(1));
        } else {
            pubsub = null;
            broadcaster = null;
        }
        var b = MerkleCrdt.builder(store).fetcher(client).rebroadcastInterval(Duration.ZERO).flushDelay(Duration.ZERO);
        if (broadcaster != null) b.broadcaster(broadcaster);
        crdt = b.build();
        client.attach(crdt);
        if (broadcaster != null) broadcaster.attach(crdt);
        server = SyncServer.register(host, crdt::block, params, penalty);
    }

    void connect(SyncTestNode other) {
        await(host.dial(TestHosts.addr(other.host)).thenCompose(c -> c.identified()));
    }

    TreeMap<String, String> state() {
        TreeMap<String, String> m = new TreeMap<>();
        crdt.query("/", (k, v) -> m.put(k, new String(v)));
        return m;
    }

    @Override
    public void close() {
        if (broadcaster != null) broadcaster.close();
        server.close();
        crdt.close();
        client.close();
        if (pubsub != null) pubsub.close();
        host.close();
        store.close();
    }
}
