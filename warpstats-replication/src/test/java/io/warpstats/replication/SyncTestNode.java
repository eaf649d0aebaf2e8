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
    final Replica replica;
    final SyncClient client;
    final SyncServer server;
    final MerkleCrdt crdt;
    final PubSub pubsub;
    final PubSubBroadcaster broadcaster;
    final List<Report> reports = new CopyOnWriteArrayList<>();

    SyncTestNode(Path dir, SyncParams params, boolean withPubSub) {
        this(dir, params, withPubSub, b -> {});
    }

    /** With {@code engine} applied to the replica's engine builder after the fixture's settings. */
    SyncTestNode(Path dir, SyncParams params, boolean withPubSub, java.util.function.Consumer<io.warpstats.crdt.MerkleCrdtBuilder> engine) {
        host = TestHosts.listening(HostOptions.defaults());
        store = KvStores.rocksDb(dir, false);
        PeerPenalty penalty = (peer, o, d) -> reports.add(new Report(peer, o, d));
        replica = Replica.builder(host, store).syncParams(params).penalty(penalty).announce(withPubSub)
                .rebroadcastInterval(withPubSub ? Duration.ofSeconds(1) : Duration.ZERO)
                .engine(b -> engine.accept(b.flushDelay(Duration.ZERO).maxConcurrentFetches(8)))
                .start();
        client = replica.sync();
        server = replica.server();
        crdt = replica.crdt();
        pubsub = replica.pubsub();
        broadcaster = replica.announcer();
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
        replica.close();
        host.close();
        store.close();
    }
}
