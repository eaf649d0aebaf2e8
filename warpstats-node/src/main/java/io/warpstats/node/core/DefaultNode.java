package io.warpstats.node.core;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warpstats.crdt.CrdtMetrics;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.node.http.HttpApi;
import io.warpstats.node.http.NodeInfo;
import io.warpstats.node.http.RemotePosts;
import io.warpstats.node.remote.RemoteReads;
import org.jspecify.annotations.Nullable;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.Identity;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.host.Hosts;
import io.warpstats.replication.SyncParams;
import io.warpstats.stats.StatsService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the parts of a {@link Node} together and takes them down in order. */
final class DefaultNode implements Node {
    /** Bound on waiting for the host to bind its listener at start. */
    static final long LISTEN_TIMEOUT_MS = 10_000;
    private static final Logger log = LoggerFactory.getLogger(DefaultNode.class);

    private final NodeConfig config;
    private final StatsService stats;
    private final Host host;
    private final ShardReplicas shards;
    private final MerkleCrdt crdt;
    private final PeerManager peers;
    private final PenaltyGate penalty;
    private final ScheduledExecutorService scheduler;
    private final HttpApi http;
    private final @Nullable RemoteReads remote;
    private final Multiaddr address;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DefaultNode(NodeConfig config) throws IOException {
        this.config = config;
        PrivateKey key = Identity.loadOrCreate(config.dataDir());
        PeerId self = PeerId.fromPublicKey(key.publicKey());
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-" + self.toString().substring(self.toString().length() - 6));
            t.setDaemon(true);
            return t;
        });
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            stats = StatsService.builder().localDatabase(config.dataDir().resolve("local")).nodeId(self.toString())
                    .registerDelay(config.registerDelay()).eventLog(config.eventLog()).open();
            opened.add(stats);
            host = Hosts.create(key, HostOptions.defaults());
            opened.add(host);
            // misbehaving sync peers lose points and regain them over time (scoreRecovery); at banThreshold they are disconnected and refused for banDuration;
            // the gate remembers as many peers as the sync client does (SyncParams.maxScoredPeers)
            SyncParams syncParams = SyncParams.defaults().withRequestTimeout(config.fetchTimeout());
            penalty = new PenaltyGate(host, syncParams.banThreshold(), syncParams.banDuration(),
                    syncParams.scoreRecovery(), syncParams.maxScoredPeers(), System::nanoTime);
            host.setGate(penalty);
            shards = new ShardReplicas(host, config, key, syncParams, penalty, stats, e -> log.warn("rejected block: {}", e.getMessage()));
            opened.add(shards);
            crdt = shards.crdt();
            stats.attach(crdt);
            Multiaddr bound = host.listen(config.listen()).get(LISTEN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            address = bound.withPeerId(self);
            peers = new PeerManager(host, config, scheduler, penalty::isBanned);
            peers.start();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            ShardSelection sel = config.shards();
            remote = sel.shards().count() == 1 ? null
                    : RemoteReads.start(host, shards.pubsub(), sel.shards(), sel::follows, shards::topic, stats, penalty,
                            RemoteReads.Params.defaults(), registry);
            if (remote != null) opened.add(remote);
            http = config.http() == null ? null
                    : HttpApi.start(config.http(), stats, this::nodeInfo, NodeMeters.bind(registry, shards, stats, penalty),
                            remote == null ? RemotePosts.NONE : remote);
        } catch (RuntimeException | InterruptedException | ExecutionException | TimeoutException e) {
            scheduler.shutdownNow();
            for (int i = opened.size() - 1; i >= 0; i--) {
                try { opened.get(i).close(); } catch (Exception suppressed) { e.addSuppressed(suppressed); }
            }
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            if (e instanceof ExecutionException ee && ee.getCause() != null) {
                throw new UncheckedIOException(new IOException("cannot listen on " + config.listen() + ": " + ee.getCause().getMessage(), ee.getCause()));
            }
            if (e instanceof RuntimeException re) throw re;
            throw new UncheckedIOException(new IOException(e.toString(), e));
        }
        log.info("node {} listening on {}", self, address);
    }

    static Node start(NodeConfig config) {
        try {
            return new DefaultNode(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override public PeerId peerId() { return host.peerId(); }
    @Override public Multiaddr address() { return address; }
    @Override public Optional<InetSocketAddress> httpAddress() { return Optional.ofNullable(http).map(HttpApi::address); }
    @Override public Host host() { return host; }
    @Override public MerkleCrdt crdt() { return crdt; }
    @Override public StatsService stats() { return stats; }
    @Override public Set<PeerId> knownPeers() { return peers.knownPeers(); }

    @Override
    public Set<PeerId> connectedPeers() {
        Set<PeerId> out = new HashSet<>();
        host.connections().forEach(c -> out.add(c.remotePeer()));
        return out;
    }

    /**
     * Publishes the heads at once, bypassing the announcer's suppression of recently announced heads:
     * a peer that just subscribed (a node coming back, say) has not heard them.
     */
    @Override
    public void announce() {
        if (closed.get()) return;
        shards.announce();
    }

    NodeInfo nodeInfo() {
        List<NodeInfo.Peer> ps = new ArrayList<>();
        host.connections().forEach(c -> ps.add(new NodeInfo.Peer(c.remotePeer().toString(), c.remoteAddress().toString(),
                penalty.score(c.remotePeer()))));
        List<String> hs = new ArrayList<>();
        crdt.heads().forEach(h -> hs.add(h.cid().toString()));
        CrdtMetrics m = crdt.metrics();
        return new NodeInfo(peerId().toString(), List.of(address.toString()), ps, hs, storeSizeBytes(),
                m.mergedBlocks(), m.blocksHeld(), m.syncLagMillis() / 1000.0);
    }

    /** The CRDT store and the local database on disk: live SST files plus write-ahead logs, read from RocksDB. */
    private long storeSizeBytes() {
        try {
            return shards.sizeOnDiskBytes() + stats.localDatabaseSizeBytes();
        } catch (RuntimeException e) {
            return 0; // closing
        }
    }


    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        log.info("node {} shutting down", peerId());
        peers.close();
        step("http", () -> { if (http != null) http.close(); });
        step("remote reads", () -> { if (remote != null) remote.close(); });
        step("stats", stats::close);           // flushes the outbox into the CRDT, detaches
        step("replicas", shards::close);       // flushes, announces the last heads, closes the engines, sync and stores
        step("scheduler", scheduler::shutdownNow);
        step("host", host::close);
        log.info("node {} stopped", peerId());
    }

    private interface Step { void run() throws Exception; }

    private static void step(String what, Step s) {
        try {
            s.run();
        } catch (Exception e) {
            log.warn("shutdown: closing {} failed: {}", what, e.toString());
        }
    }
}
