package io.warpstats.bench.cluster;

import io.warpstats.crdt.MaterializedView;
import io.warpstats.crdt.Head;
import io.warpstats.crdt.CompactionOptions;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.MerkleCrdtBuilder;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.p2p.ConnectionGate;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.host.Hosts;
import io.warpstats.p2p.pubsub.GossipParams;
import io.warpstats.p2p.pubsub.PubSub;
import io.warpstats.p2p.PeerId;
import io.warpstats.replication.PeerPenalty;
import io.warpstats.replication.PubSubBroadcaster;
import io.warpstats.replication.SyncClient;
import io.warpstats.replication.Replica;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * One replica of the cluster: its own host on 127.0.0.1 and a {@link Replica} (gossipsub, sync client
 * and server, the announcer and a Merkle-CRDT on RocksDB), built as a node builds it.
 */
final class ClusterNode implements AutoCloseable {
    final int index;
    final Host host;
    final KvStore store;
    final Replica replica;
    final SyncClient client;
    final PubSub pubsub;
    final PubSubBroadcaster broadcaster;
    final MerkleCrdt crdt;
    final String slotSuffix;
    /** Penalties this node gave, per peer, counted by {@link PeerPenalty.Offense} ordinal (the peers of a benchmark are few). */
    final ConcurrentHashMap<PeerId, AtomicLongArray> given = new ConcurrentHashMap<>();

    /** Penalties this node gave, all peers and offenses. */
    long penalties() {
        long n = 0;
        for (AtomicLongArray a : given.values()) for (int k = 0; k < a.length(); k++) n += a.get(k);
        return n;
    }

    ClusterNode(int index, Path dir, ConvergenceBench.Config cfg, MaterializedView probe) {
        this(index, PrivateKey.generate(), dir, cfg.ioThreads(), cfg.rebroadcast(), b -> b.flushDelay(cfg.flushDelay()).view(probe));
    }

    /**
     * A node with identity {@code key} and its store in {@code storeDir}; {@code engine} configures the engine's
     * builder after the cluster's settings (fetch concurrency {@code -Dwarpstats.bench.maxFetches}, default 8; checkpoints
     * of each node's own writes {@code -Dwarpstats.bench.checkpoints}, default true: the node's defaults).
     */
    ClusterNode(int index, PrivateKey key, Path storeDir, int ioThreads, Duration rebroadcast, Consumer<MerkleCrdtBuilder> engine) {
        this.index = index;
        host = Hosts.create(key, HostOptions.defaults().withIoThreads(ioThreads));
        await(host.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        store = KvStores.rocksDb(storeDir, false);
        replica = Replica.builder(host, store)
                .penalty((peer, offense, detail) ->
                        given.computeIfAbsent(peer, k -> new AtomicLongArray(PeerPenalty.Offense.values().length)).incrementAndGet(offense.ordinal()))
                .rebroadcastInterval(rebroadcast)
                .minPublishGap(Duration.ofMillis(Long.getLong("warpstats.bench.announceGapMs", PubSubBroadcaster.DEFAULT_MIN_PUBLISH_GAP.toMillis())))
                .gossipParams(GossipParams.defaults().toBuilder()
                        .idontwantMinBytes(Integer.getInteger("warpstats.bench.idontwantMinBytes", Replica.GOSSIP_DEFAULTS.idontwantMinBytes()))
                        .forwardDelay(Duration.ofMillis(Long.getLong("warpstats.bench.forwardDelayMs", Replica.GOSSIP_DEFAULTS.forwardDelay().toMillis())))
                        .build())
                .engine(b -> engine.accept(b.maxConcurrentFetches(Integer.getInteger("warpstats.bench.maxFetches", 8))
                        .compaction(Boolean.parseBoolean(System.getProperty("warpstats.bench.checkpoints", "true"))
                                ? CompactionOptions.defaults() : CompactionOptions.disabled())))
                .start();
        client = replica.sync();
        pubsub = replica.pubsub();
        broadcaster = replica.announcer();
        crdt = replica.crdt();
        // the slot of this node: /incr/{stat}/{postId}/{nodeId}/{incarnation} (docs/stats.md)
        slotSuffix = "/" + host.peerId() + "/" + String.format("%016x", new java.util.SplittableRandom().nextLong());
    }

    Multiaddr addr() {
        return host.listenAddresses().get(0).withPeerId(host.peerId());
    }

    void connect(ClusterNode other) {
        await(host.dial(other.addr()).thenCompose(c -> c.identified()));
    }

    /** Refuses every connection (closes the open ones): the node is cut off. */
    void disconnect() {
        host.setGate((peer, remote, inbound) -> false);
    }

    void reopen() {
        host.setGate(ConnectionGate.OPEN);
    }

    int subscribedPeers() {
        return await(pubsub.peers(broadcaster.topic())).size();
    }

    Set<Head> heads() {
        return new HashSet<>(crdt.heads());
    }

    static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("future failed or timed out: " + e, e);
        }
    }

    @Override
    public void close() {
        replica.close();
        host.close();
        store.close();
    }
}
