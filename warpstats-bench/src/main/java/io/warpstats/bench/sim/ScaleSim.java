package io.warpstats.bench.sim;

import io.warpstats.crdt.CompactionOptions;
import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.crdt.Head;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.multiformats.Cid;
import io.warpstats.node.core.Ed25519Deltas;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.pubsub.GossipParams;
import io.warpstats.p2p.pubsub.PubSubMessage;
import io.warpstats.p2p.pubsub.SimulatedRouter;
import io.warpstats.replication.HeadAnnouncer;
import io.warpstats.replication.PubSubBroadcaster;
import io.warpstats.stats.Shards;
import io.warpstats.stats.SlotKey;
import io.warpstats.stats.Stat;
import io.warpstats.stats.StatsKeys;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One run of the scale simulation: builds the nodes and links of a {@link ScaleParams}, warms the meshes up,
 * plays the workload, runs until every follower of every shard converged, checks the totals against the
 * model exactly and measures.
 *
 * <h2>Determinism</h2>
 * Everything runs on the calling thread from one {@link EventQueue}: router effects, announcements, block
 * fetches, flushes, heartbeats and rebroadcasts are events. The engines are built so that none of their work
 * leaves that thread: no signature verifier (the verify stage then applies blocks on the caller), a zero
 * flush delay and rebroadcast interval (the simulation flushes and rebroadcasts at virtual times), no
 * compaction, and a fetch deadline of a day of wall-clock time that a run never reaches. Fetch answers
 * complete the engine's futures inline. So a seed replays a run exactly, and virtual time advances only
 * when every engine has done all the work the past events gave it (its walk is waiting for a fetch answer or
 * idle). Effects that would re-enter a component (an engine's announcement into the router that delivered
 * to it, a fetch asked inside a walk) are queued as events at the same virtual time.
 *
 * <h2>Trust</h2>
 * Deltas are signed with the production Ed25519 signer (the blocks carry author and signature, so their sizes
 * are real) but the engines do not verify them (verification runs on a thread pool); gossipsub messages are
 * signed and verified as in production (StrictSign).
 */
final class ScaleSim {
    /** Virtual ms between two convergence checks after the last put. */
    static final long CHECK_MS = 10;
    /** Virtual ms of heartbeats before the first put, for the meshes to form. */
    static final long WARMUP_MS = 5_000;
    private static final String DAG_BASE = "warpstats";

    private final ScaleParams p;
    private final EventQueue clock = new EventQueue();
    private final Random rnd;
    private final Shards shards;
    private final GossipParams gossip = GossipParams.defaults().toBuilder()
            .idontwantMinBytes(Integer.getInteger("warpstats.bench.idontwantMinBytes", GossipParams.defaults().idontwantMinBytes()))
            .forwardDelay(Duration.ofMillis(Long.getLong("warpstats.bench.forwardDelayMs", GossipParams.defaults().forwardDelay().toMillis())))
            .build();
    private final List<SimNode> nodes = new ArrayList<>();
    private final Map<PeerId, SimNode> byId = new HashMap<>();
    /** Per shard: the nodes following it (writers first, then observers), and the writers alone. */
    private final List<List<SimNode>> followers = new ArrayList<>(), writers = new ArrayList<>();
    private final String[] postIds;
    private final int[] postShard;
    /** The model: views per post, likers per post. */
    private final Map<String, Long> views = new HashMap<>();
    private final Map<String, Set<String>> likers = new HashMap<>();

    ScaleSim(ScaleParams p) {
        this.p = p;
        this.rnd = new Random(p.seed());
        this.shards = new Shards(p.shards());
        postIds = new String[p.posts()];
        postShard = new int[p.posts()];
        for (int i = 0; i < p.posts(); i++) {
            postIds[i] = "p" + i;
            postShard[i] = shards.shardOf(postIds[i]);
        }
        for (int s = 0; s < p.shards(); s++) {
            followers.add(new ArrayList<>());
            writers.add(new ArrayList<>());
        }
        for (int i = 0; i < p.nodes() + p.observers(); i++) addNode(i, i >= p.nodes());
        for (int s = 0; s < p.shards(); s++) {
            List<SimNode> f = followers.get(s);
            for (SimNode n : f) {
                int tries = 0;
                long dialed = 0;
                while (dialed < p.degree() && tries++ < p.degree() * 4 && f.size() > 1) {
                    if (connect(n, f.get(rnd.nextInt(f.size())))) dialed++;
                }
            }
        }
    }

    private void addNode(int index, boolean observer) {
        byte[] seed = new byte[32];
        rnd.nextBytes(seed);
        SimNode n = new SimNode(index, PrivateKey.fromSeed(seed), HexFormat.of().formatHex(seed, 0, 8), observer);
        Random routerRandom = new Random(rnd.nextLong());
        n.router = SimulatedRouter.create(n.key, gossip, clock::now, routerRandom, rnd.nextInt(1_000_000), new SimulatedRouter.Effects() {
            @Override
            public void send(PeerId to, byte[] rpc) {
                long bytes = rpc.length + SimSync.varintSize(rpc.length);
                clock.schedule(n.links.get(to), () -> {
                    SimNode dst = byId.get(to);
                    dst.gossipMessagesIn++;
                    dst.gossipBytesIn += bytes;
                    dst.router.onRpc(n.id, rpc);
                });
            }

            @Override
            public void deliver(PubSubMessage message) { clock.schedule(0, () -> n.onAnnouncement(message)); }

            @Override
            public void later(long millis, Runnable task) { clock.schedule(millis, task); }
        });
        nodes.add(n);
        byId.put(n.id, n);
        int first = observer ? 0 : index % p.shards();
        int last = observer ? p.shards() - 1 : first;
        for (int s = first; s <= last; s++) {
            String dag = shards.dagName(DAG_BASE, s);
            SimNode.Replica r = new SimNode.Replica(s, dag, KvStores.inMemory());
            r.crdt = MerkleCrdt.builder(r.store).dagName(dag).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                    .compaction(CompactionOptions.disabled())
                    .fetchTimeout(Duration.ofDays(1)).signer(Ed25519Deltas.signer(n.key)).acceptUnsigned(true)
                    .authorizer((author, key) -> true)
                    .broadcaster(msg -> r.announcer.offer(msg))
                    .fetcher(new SimSync(clock, byId::get, n, r))
                    .build();
            r.announcer = announcer(n, r);
            n.addReplica(r);
            n.router.subscribe(r.topic);
            followers.get(s).add(n);
            if (!observer) writers.get(s).add(n);
            long offset = rnd.nextInt(p.rebroadcastMs());
            scheduleRebroadcast(r, offset);
        }
        scheduleHeartbeat(n, rnd.nextInt((int) gossip.heartbeatInterval().toMillis()));
    }

    /**
     * The production announcer ({@link HeadAnnouncer}, as {@code PubSubBroadcaster} runs it) on the virtual clock: its
     * announcements are published on the shard's topic as an event of the same virtual time.
     */
    private HeadAnnouncer announcer(SimNode n, SimNode.Replica r) {
        return HeadAnnouncer.create(Duration.ofMillis(p.rebroadcastMs()), PubSubBroadcaster.DEFAULT_MIN_PUBLISH_GAP,
                () -> clock.now() * 1_000_000L, new HeadAnnouncer.Environment() {
                    @Override
                    public void publish(List<CrdtBroadcast.Announced> heads, Map<Cid, byte[]> blocks) {
                        List<byte[]> push = new ArrayList<>();
                        for (byte[] b : blocks.values()) if (push.size() < CrdtBroadcast.MAX_EAGER_BLOCKS) push.add(b);
                        byte[] msg = new CrdtBroadcast(heads, push).toBytes();
                        clock.schedule(0, () -> n.router.publish(r.topic, msg));
                    }

                    @Override
                    public void later(long nanos, Runnable task) { clock.schedule((nanos + 999_999) / 1_000_000, task); }

                    @Override
                    public Set<Cid> currentHeads(String dagName) {
                        Set<Cid> current = new HashSet<>();
                        for (Head h : r.crdt.heads()) current.add(h.cid());
                        return current;
                    }

                    @Override
                    public boolean holds(Cid cid) { return r.crdt.replication().hasBlock(cid); }
                });
    }

    private boolean connect(SimNode a, SimNode b) {
        if (a == b || a.links.containsKey(b.id)) return false;
        long latency = p.minLatencyMs() + rnd.nextInt(p.maxLatencyMs() - p.minLatencyMs() + 1);
        a.links.put(b.id, latency);
        b.links.put(a.id, latency);
        a.router.addPeer(b.id, true);
        b.router.addPeer(a.id, false);
        return true;
    }

    private void scheduleHeartbeat(SimNode n, long delay) {
        clock.schedule(delay, () -> {
            n.router.heartbeat();
            scheduleHeartbeat(n, gossip.heartbeatInterval().toMillis());
        });
    }

    private void scheduleRebroadcast(SimNode.Replica r, long delay) {
        clock.schedule(delay, () -> {
            r.crdt.replication().rebroadcast();
            scheduleRebroadcast(r, p.rebroadcastMs());
        });
    }

    /** One put of the workload: a view counted by, or a like served by, a writer of the post's shard. */
    private void put() {
        int post = rnd.nextInt(p.posts());
        String postId = postIds[post];
        List<SimNode> w = writers.get(postShard[post]);
        SimNode n = w.get(rnd.nextInt(w.size()));
        SimNode.Replica r = n.replicas.get(postShard[post]);
        if (rnd.nextDouble() < p.likeShare()) {
            String user = "u" + rnd.nextInt(100_000);
            likers.computeIfAbsent(postId, k -> new HashSet<>()).add(user);
            r.crdt.put(StatsKeys.liker(postId, user), new byte[] {1});
        } else {
            long total = n.viewTotals.merge(postId, 1L, Long::sum);
            views.merge(postId, 1L, Long::sum);
            r.crdt.put(new SlotKey(true, Stat.VIEWS, postId, n.nodeId, n.incarnation).key(), ByteBuffer.allocate(8).putLong(total).array());
        }
        if (!r.flushArmed) {
            r.flushArmed = true;
            clock.schedule(p.flushDelayMs(), () -> {
                r.flushArmed = false;
                r.crdt.flush().join(); // synchronous: the engine flushes on the caller's thread
            });
        }
    }

    /** Runs the whole simulation and measures; throws if it does not converge in time or the totals differ from the model. */
    ScaleResult run() {
        long wallStart = System.nanoTime();
        clock.runUntil(WARMUP_MS);
        for (SimNode n : nodes) n.resetCounters();
        long start = clock.now();
        long lastPut = start;
        for (int i = 0; i < p.puts(); i++) {
            long at = start + i * 1000L / p.putsPerSecond();
            clock.schedule(at - clock.now(), this::put);
            lastPut = at;
        }
        clock.runUntil(lastPut + p.flushDelayMs());
        long convergedAt = -1;
        while (clock.now() - lastPut <= p.maxVirtualMs()) {
            if (converged()) {
                convergedAt = clock.now();
                break;
            }
            clock.runUntil(clock.now() + CHECK_MS);
        }
        if (convergedAt < 0) throw new IllegalStateException("not converged " + p.maxVirtualMs() + " ms after the last put: " + p);
        checkModel();
        return measure(convergedAt - lastPut, System.nanoTime() - wallStart);
    }

    /** Every follower of every shard holds the same heads and has nothing pending, and no flush is waiting. */
    boolean converged() {
        for (int s = 0; s < p.shards(); s++) {
            Set<Cid> reference = null;
            for (SimNode n : followers.get(s)) {
                SimNode.Replica r = n.replicas.get(s);
                if (r.flushArmed || r.crdt.metrics().pendingBlocks() != 0) return false;
                Set<Cid> h = new HashSet<>();
                for (Head head : r.crdt.heads()) h.add(head.cid());
                if (reference == null) reference = h;
                else if (!reference.equals(h)) return false;
            }
        }
        return true;
    }

    /** Every follower's views totals (sum of counter slots) and likers equal the model's for every post of its shard. */
    void checkModel() {
        for (int s = 0; s < p.shards(); s++) {
            Map<String, Long> expectedViews = new TreeMap<>();
            Map<String, Set<String>> expectedLikers = new TreeMap<>();
            for (int i = 0; i < p.posts(); i++) {
                if (postShard[i] != s) continue;
                Long v = views.get(postIds[i]);
                if (v != null) expectedViews.put(postIds[i], v);
                Set<String> l = likers.get(postIds[i]);
                if (l != null) expectedLikers.put(postIds[i], new TreeSet<>(l));
            }
            for (SimNode n : followers.get(s)) {
                MerkleCrdt c = n.replicas.get(s).crdt;
                Map<String, Long> got = new TreeMap<>();
                c.query("/incr/", (k, v) -> SlotKey.parse(k).ifPresent(slot -> got.merge(slot.postId(), ByteBuffer.wrap(v).getLong(), Long::sum)));
                Map<String, Set<String>> gotLikers = new TreeMap<>();
                c.query("/likers/", (k, v) -> {
                    String[] parts = k.split("/");
                    gotLikers.computeIfAbsent(parts[2], x -> new TreeSet<>()).add(parts[3]);
                });
                if (!got.equals(expectedViews) || !gotLikers.equals(expectedLikers)) {
                    throw new IllegalStateException("node " + n.index + " shard " + s + " differs from the model: views "
                            + got.size() + "/" + expectedViews.size() + " posts, likers " + gotLikers.size() + "/" + expectedLikers.size());
                }
            }
        }
    }

    private ScaleResult measure(long convergeMs, long wallNanos) {
        long msgs = 0, bytes = 0, gossipBytes = 0, syncBytes = 0, stored = 0, obsStored = 0, obsReceived = 0, blocks = 0, announcements = 0;
        for (SimNode n : nodes) {
            for (SimNode.Replica r : n.replicas.values()) {
                blocks += r.crdt.metrics().localBlocks();
                announcements += r.announcer.published();
            }
            if (n.observer) {
                obsStored += n.storedBytes();
                obsReceived += n.bytesIn();
                continue;
            }
            msgs += n.messagesIn();
            bytes += n.bytesIn();
            gossipBytes += n.gossipBytesIn;
            syncBytes += n.syncBytesIn;
            stored += n.storedBytes();
        }
        double perPutNode = (double) p.puts() * p.nodes();
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long heap = rt.totalMemory() - rt.freeMemory();
        int obs = Math.max(1, p.observers());
        return new ScaleResult(p, msgs / perPutNode, bytes / perPutNode, gossipBytes / perPutNode, syncBytes / perPutNode, convergeMs,
                stored / p.nodes(), bytes / p.nodes(), p.observers() == 0 ? 0 : obsStored / obs, p.observers() == 0 ? 0 : obsReceived / obs,
                heap / nodes.size(), announcements, blocks, wallNanos / 1_000_000);
    }

    /** Closes every engine. */
    void close() {
        for (SimNode n : nodes) for (SimNode.Replica r : n.replicas.values()) r.crdt.close();
    }

    /** Runs {@code params} and closes the engines. */
    static ScaleResult runOnce(ScaleParams params) {
        ScaleSim sim = new ScaleSim(params);
        try {
            return sim.run();
        } finally {
            sim.close();
        }
    }
}
