package io.warpstats.node.core;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.RejectedBlockException;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.pubsub.PubSub;
import io.warpstats.replication.BlockSource;
import io.warpstats.replication.PubSubBroadcaster;
import io.warpstats.replication.Replica;
import io.warpstats.replication.SyncMetrics;
import io.warpstats.replication.SyncParams;
import io.warpstats.replication.SyncServer;
import io.warpstats.stats.Shards;
import io.warpstats.stats.StatsKeys;
import io.warpstats.stats.StatsService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The CRDT side of a node: per shard one RocksDB store and one {@link Replica} (its DAG and topic
 * {@link Shards#dagName}), all on the node's host and one pubsub, one block sync server for all of them,
 * and {@link #crdt()}, the statistics' view of the engines ({@link Shards#route}).
 *
 * <p>A followed shard's replica subscribes to its topic, stores and merges everything, serves and relays.
 * A shard the node does not follow gets a publish-only replica: it holds only this node's own writes to
 * posts of that shard (its slots and members), announces them to the shard's followers through gossipsub's
 * fanout, serves them and merges nothing else.
 *
 * <p>Layout: one shard keeps the unsharded store in {@code DATA_DIR/crdt}; N > 1 shards keep shard i in
 * {@code DATA_DIR/crdt/shard-i}. The count is written to {@code DATA_DIR/}{@value #LAYOUT_FILE} at the first
 * start; a later start with another count is refused (the shards of a post would differ).
 */
final class ShardReplicas implements AutoCloseable {
    /** The file recording the data directory's shard count. */
    static final String LAYOUT_FILE = "shards";
    /**
     * Distinct keys a node's replica buffers before a writer waits for a flush: 4 × the engine's default. A checkpoint
     * holds the replica's write lock while it restates the live set (seconds for a few hundred thousand members), and a
     * writer that reaches the bound waits for it; under HTTP load the default stalled writes for most of a checkpoint
     * (docs/benchmarks.md, "Figures behind design choices", has the measurement). The buffer stays bounded by this count.
     */
    static final int MAX_PENDING_KEYS = 160_000;

    private final ShardSelection selection;
    private final List<KvStore> stores = new ArrayList<>();
    private final List<Replica> replicas = new ArrayList<>();
    private final PubSub pubsub;
    private final SyncServer server;
    private final MerkleCrdt crdt;

    ShardReplicas(Host host, NodeConfig config, PrivateKey key, SyncParams syncParams, PenaltyGate penalty, StatsService stats,
                  Consumer<RejectedBlockException> onRejected) {
        selection = config.shards();
        Shards shards = selection.shards();
        checkLayout(config.dataDir(), shards.count());
        pubsub = PubSub.create(host, Replica.GOSSIP_DEFAULTS);
        try {
            for (int i = 0; i < shards.count(); i++) {
                int shard = i;
                KvStore store = KvStores.rocksDb(storeDir(config.dataDir(), shards.count(), i));
                stores.add(store);
                replicas.add(Replica.builder(host, store).dagName(shards.dagName(config.dagName(), i)).syncParams(syncParams)
                        .penalty(penalty).pubsub(pubsub).serve(false).follow(selection.follows(i))
                        .rebroadcastInterval(config.rebroadcastInterval())
                        .engine(b -> b.flushDelay(config.flushDelay()).maxPendingKeys(MAX_PENDING_KEYS)
                                .signer(Ed25519Deltas.signer(key)).verifier(Ed25519Deltas.verifier())
                                .authorizer((author, k) -> StatsKeys.mayWrite(author, k)
                                        && shards.shardOfKey(k).map(s -> s == shard).orElse(false))
                                .acceptUnsigned(false)
                                .view(stats.view())) // before the engine opens and resumes interrupted walks: the view sees every merge
                        .onRejected(onRejected)
                        .start());
            }
            List<BlockSource> sources = new ArrayList<>();
            replicas.forEach(r -> sources.add(BlockSource.of(r.crdt().replication())));
            server = SyncServer.register(host, BlockSource.anyOf(sources), syncParams, penalty);
            List<MerkleCrdt> engines = new ArrayList<>();
            replicas.forEach(r -> engines.add(r.crdt()));
            crdt = shards.route(engines, config.dagName());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    static Path storeDir(Path dataDir, int count, int shard) {
        return count == 1 ? dataDir.resolve("crdt") : dataDir.resolve("crdt").resolve("shard-" + shard);
    }

    /** Records the shard count at the first start and refuses another one later. */
    static void checkLayout(Path dataDir, int count) {
        Path file = dataDir.resolve(LAYOUT_FILE);
        try {
            int recorded;
            if (Files.isRegularFile(file)) {
                String s = Files.readString(file, StandardCharsets.UTF_8).trim();
                try {
                    recorded = Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("the data directory's shard count file " + file + " is damaged: '"
                            + (s.length() > 20 ? s.substring(0, 20) + "…" : s) + "'");
                }
            } else {
                // a store of an earlier version, or a new directory
                recorded = Files.isRegularFile(dataDir.resolve("crdt").resolve("CURRENT")) ? 1 : count;
            }
            if (recorded != count) {
                throw new IllegalArgumentException("the data directory " + dataDir + " holds the store of a network of " + recorded
                        + " shard(s); this node is configured with " + count + " (the shard count is fixed per network: use "
                        + recorded + ", or a new data directory)");
            }
            if (!Files.isRegularFile(file)) {
                Files.createDirectories(dataDir);
                Path tmp = dataDir.resolve(LAYOUT_FILE + ".tmp");
                Files.writeString(tmp, count + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the node follows. */
    ShardSelection selection() { return selection; }

    /** The statistics' CRDT: every shard's engine behind one {@link MerkleCrdt}. */
    MerkleCrdt crdt() { return crdt; }

    /** The pubsub of every shard's topic. */
    PubSub pubsub() { return pubsub; }

    /** The topic of {@code shard}. */
    String topic(int shard) {
        return replicas.get(shard).announcer().topic();
    }

    /** The one block sync server of the node. */
    SyncServer server() { return server; }

    /** The replicas, shard i at index i. */
    List<Replica> replicas() { return replicas; }

    /** Publishes every shard's heads now. */
    void announce() {
        replicas.forEach(Replica::announce);
    }

    /** Bytes on disk of every shard's store: live SST files plus write-ahead logs. */
    long sizeOnDiskBytes() {
        long n = 0;
        for (KvStore s : stores) n += s.sizeOnDiskBytes();
        return n;
    }

    /** The sync clients' counters summed over the shards. */
    SyncMetrics clientMetrics() {
        return sum(r -> r.sync().metrics());
    }

    private SyncMetrics sum(Function<Replica, SyncMetrics> f) {
        long requests = 0, blocks = 0, blockBytes = 0, wire = 0, penalties = 0, failures = 0;
        int banned = 0;
        for (Replica r : replicas) {
            SyncMetrics m = f.apply(r);
            requests += m.requests();
            blocks += m.blocks();
            blockBytes += m.blockBytes();
            wire += m.wireBytes();
            penalties += m.penalties();
            failures += m.failures();
            banned += m.bannedPeers();
        }
        return new SyncMetrics(requests, blocks, blockBytes, wire, penalties, failures, banned);
    }

    /** Announcements published / received / heads suppressed, summed over the shards. */
    long announcements(Function<PubSubBroadcaster, Long> f) {
        long n = 0;
        for (Replica r : replicas) if (r.announcer() != null) n += f.apply(r.announcer());
        return n;
    }

    /** Closes the replicas (each flushes and announces its last heads), the server, the pubsub and the stores. */
    @Override
    public void close() {
        closeAll(replicas);
        if (server != null) step(server::close);
        if (pubsub != null) step(pubsub::close);
        for (KvStore s : stores) step(s::close);
    }

    /**
     * Closes the shards' replicas side by side: each close may spend its engine's close budget finishing a reap and a
     * store compaction ({@code CompactionOptions.closeBudget}), so the node's stop takes one budget, not one per shard.
     */
    private static void closeAll(List<Replica> replicas) {
        if (replicas.size() == 1) {
            step(replicas.get(0)::close);
            return;
        }
        List<Thread> closing = new ArrayList<>();
        for (Replica r : replicas) {
            Thread t = new Thread(() -> step(r::close), "warpstats-close-" + r.crdt().replication().dagName());
            t.start();
            closing.add(t);
        }
        boolean interrupted = false;
        for (Thread t : closing) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true; // the stores close after the replicas whatever happens
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static void step(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(ShardReplicas.class).warn("closing a shard part failed: {}", e.toString());
        }
    }
}
