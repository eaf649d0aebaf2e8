package io.warpstats.replication;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.crdt.Head;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.MerkleCrdtBuilder;
import io.warpstats.crdt.RejectedBlockException;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.pubsub.GossipParams;
import io.warpstats.p2p.pubsub.PubSub;
import io.warpstats.p2p.pubsub.PubSubEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running replica of a Merkle-CRDT on a libp2p host: the engine, the block sync client and server
 * ({@value SyncServer#PROTOCOL}) and the announcement of heads over gossipsub, wired together. This is
 * the one place where the parts meet; a node, the cluster benchmark and the tests all build replicas
 * here.
 * <pre>{@code
 * Host host = Hosts.create(key, HostOptions.defaults());
 * Replica replica = Replica.builder(host, KvStores.rocksDb(dir))
 *     .engine(b -> b.dagName("").flushDelay(Duration.ofMillis(10)).signer(signer).verifier(verifier)
 *                   .authorizer(authorizer).acceptUnsigned(false).view(stats.view()))
 *     .penalty(gate)
 *     .start();
 * replica.crdt().put("/k", value);
 * }</pre>
 *
 * <p>Guarantees: the engine is built after the sync client and the announcer exist and is attached to
 * them before any network input reaches it; a block the engine rejects (also a rejection found later by
 * its parallel verify stage) is charged to the peer that supplied it; a peer that subscribes to the
 * topic gets the heads at once (at most one announcement per {@link #ANNOUNCE_MIN_GAP}), not at the next
 * rebroadcast. {@link #close()} first closes the client (no remote block is merged after that), then
 * flushes the engine, announces its last heads, closes the announcer and the engine (which may reap within
 * its close budget), then the server and the pubsub it created, in that order; the host and the store
 * belong to the caller.
 *
 * <p>Concurrency: thread-safe; the parts run on their own threads (see each part's Javadoc).
 */
public final class Replica implements AutoCloseable {
    /** Announcements triggered by new subscribers are at most this frequent. */
    public static final Duration ANNOUNCE_MIN_GAP = Duration.ofMillis(100);
    /**
     * The gossipsub parameters of a replica's pubsub unless the builder is given others: the defaults, with
     * gossipsub v1.2's IDONTWANT sent for every message (not only from 512 bytes: announcements are smaller)
     * and each forward of a message so announced held back 2 ms, so that the IDONTWANTs of mesh peers that
     * got it by another path arrive first and spare them the copy (measured on a 5-node full mesh:
     * docs/benchmarks.md, row 13).
     */
    public static final GossipParams GOSSIP_DEFAULTS = GossipParams.defaults().toBuilder()
            .idontwantMinBytes(0).forwardDelay(Duration.ofMillis(2)).build();
    private static final Logger log = LoggerFactory.getLogger(Replica.class);

    private final MerkleCrdt crdt;
    private final SyncClient sync;
    private final SyncServer server;
    private final PubSub pubsub;
    private final boolean ownsPubSub;
    private final PubSubBroadcaster announcer;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean announceScheduled = new AtomicBoolean();
    private final AtomicLong lastAnnounce = new AtomicLong();

    private Replica(Builder b) {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            SyncParams params = b.syncParams;
            sync = SyncClient.create(b.host, params, b.penalty);
            opened.add(sync);
            if (b.announce) {
                ownsPubSub = b.pubsub == null;
                pubsub = ownsPubSub ? PubSub.create(b.host, b.gossipParams) : b.pubsub;
                if (ownsPubSub) opened.add(pubsub);
                announcer = PubSubBroadcaster.create(pubsub, b.dagName, sync, b.rebroadcastInterval, b.minPublishGap);
                opened.add(announcer);
            } else {
                ownsPubSub = false;
                pubsub = null;
                announcer = null;
            }
            MerkleCrdtBuilder eb = MerkleCrdt.builder(b.store).dagName(b.dagName)
                    .rebroadcastInterval(announcer == null ? b.rebroadcastInterval : Duration.ZERO) // the announcer runs the jittered rebroadcast
                    .maxConcurrentFetches(params.maxStreamsPerPeer()) // a server refuses more streams per peer
                    .fetcher(sync);
            if (announcer != null) eb.broadcaster(announcer);
            b.engine.accept(eb);
            Consumer<RejectedBlockException> onRejected = b.onRejected;
            eb.onRejected(e -> { // also the verify stage's rejections: charged to the block's sender
                sync.rejected(e);
                onRejected.accept(e);
            });
            crdt = eb.build();
            opened.add(crdt);
            sync.attach(crdt.replication());
            server = b.serve ? SyncServer.register(b.host, BlockSource.of(crdt.replication()), params, b.penalty) : null;
            if (server != null) opened.add(server);
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "replica-announce-" + b.host.peerId().toString().substring(Math.max(0, b.host.peerId().toString().length() - 6)));
                t.setDaemon(true);
                return t;
            });
            if (announcer != null && !b.follow) {
                announcer.attachPublishOnly(crdt.replication());
            } else if (announcer != null) {
                announcer.attach(crdt.replication());
                String topic = announcer.topic();
                if (!params.announceRate().off()) pubsub.addValidator(topic, new AnnouncementLimit(params, b.penalty, System::nanoTime));
                pubsub.addEventListener(ev -> {
                    if (ev instanceof PubSubEvent.Subscribed s && s.topic().equals(topic)) announceSoon();
                });
            }
        } catch (RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                try {
                    opened.get(i).close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** A builder of a replica on {@code host} over {@code store}. */
    public static Builder builder(Host host, KvStore store) {
        return new Builder(host, store);
    }

    /** The engine: the application's API. */
    public MerkleCrdt crdt() { return crdt; }

    /** The block sync client (scores, hints, metrics). */
    public SyncClient sync() { return sync; }

    /** The block sync server (metrics), or {@code null} when the replica does not serve ({@link Builder#serve}). */
    public SyncServer server() { return server; }

    /** The pubsub the heads are announced on, or {@code null} if announcements are off. */
    public PubSub pubsub() { return pubsub; }

    /** The announcer of heads, or {@code null} if announcements are off. */
    public PubSubBroadcaster announcer() { return announcer; }

    /**
     * Publishes the heads at once, bypassing the announcer's suppression of recently announced heads
     * (a peer that just subscribed has not heard them), and retries failed fetches.
     */
    public void announce() {
        if (closed.get()) return;
        publishHeads();
        try {
            crdt.replication().rebroadcast(); // also retries failed fetches now (its own announcement is suppressed as recent)
        } catch (RuntimeException e) {
            log.debug("rebroadcast failed: {}", e.toString());
        }
    }

    private void announceSoon() {
        if (closed.get() || !announceScheduled.compareAndSet(false, true)) return;
        long wait = Math.max(0, lastAnnounce.get() + ANNOUNCE_MIN_GAP.toMillis() - System.currentTimeMillis());
        try {
            timer.schedule(() -> {
                announceScheduled.set(false);
                lastAnnounce.set(System.currentTimeMillis());
                announce();
            }, wait, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            announceScheduled.set(false); // closing
        }
    }

    private void publishHeads() {
        if (announcer == null) return;
        try {
            List<CrdtBroadcast.Announced> all = new ArrayList<>();
            for (Head h : crdt.heads()) all.add(new CrdtBroadcast.Announced(h.cid(), crdt.dagName()));
            for (int i = 0; i < all.size(); i += CrdtBroadcast.MAX_HEADS) {
                byte[] msg = new CrdtBroadcast(all.subList(i, Math.min(all.size(), i + CrdtBroadcast.MAX_HEADS))).toBytes();
                pubsub.publish(announcer.topic(), msg).whenComplete((r, e) -> {
                    if (e != null) log.debug("announcing heads failed: {}", e.toString());
                });
            }
        } catch (RuntimeException e) {
            log.debug("announce failed: {}", e.toString());
        }
    }

    /** Stops taking remote blocks, flushes the engine, announces the last heads, closes the engine, then the rest. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        // No remote block is merged once the close begins: merges would grow the store that the engine's
        // close reaps and take the write lock from it, so a stop under load would leave the store far
        // above its live state. Fetches that announcements still trigger fail at once. The server stays
        // up until the engine is closed: peers fetch the last heads announced here.
        step("sync client", sync::close);
        // The engine's flush runs on this thread (its future is complete when it returns): it takes what the
        // store write and the views' updates take, with no timeout of its own, so no write that was put
        // before the close is dropped by it.
        step("crdt flush", () -> crdt.flush().join());
        step("announce", this::publishHeads); // the last heads, best effort
        step("timer", timer::shutdownNow);
        if (announcer != null) step("announcer", announcer::close);
        step("crdt", crdt::close);
        if (server != null) step("sync server", server::close);
        if (ownsPubSub) step("pubsub", pubsub::close);
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void step(String what, Step s) {
        try {
            s.run();
        } catch (Exception e) {
            log.warn("closing the replica: {} failed: {}", what, e.toString());
        }
    }

    /** Options of a {@link Replica}; only the host and the store are required. Not thread-safe. */
    public static final class Builder {
        private final Host host;
        private final KvStore store;
        private String dagName = "";
        private SyncParams syncParams = SyncParams.defaults();
        private PeerPenalty penalty = PeerPenalty.NONE;
        private PubSub pubsub;
        private GossipParams gossipParams = GOSSIP_DEFAULTS;
        private boolean announce = true;
        private boolean follow = true;
        private boolean serve = true;
        private Duration rebroadcastInterval = Duration.ofSeconds(10);
        private Duration minPublishGap = PubSubBroadcaster.DEFAULT_MIN_PUBLISH_GAP;
        private Consumer<MerkleCrdtBuilder> engine = b -> {};
        private Consumer<RejectedBlockException> onRejected = e -> {};

        private Builder(Host host, KvStore store) {
            this.host = Objects.requireNonNull(host, "host");
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The DAG (and so the topic, {@link PubSubBroadcaster#topic}) of the replica; default {@code ""}. */
        public Builder dagName(String name) { this.dagName = Objects.requireNonNull(name); return this; }

        /** Limits and timeouts of block sync (client and server); default {@link SyncParams#defaults()}. */
        public Builder syncParams(SyncParams p) { this.syncParams = Objects.requireNonNull(p); return this; }

        /** Told of every misbehaving sync peer (a connection gate, say); default: nobody. */
        public Builder penalty(PeerPenalty p) { this.penalty = Objects.requireNonNull(p); return this; }

        /** Announce on this pubsub (owned by the caller) instead of one the replica creates. */
        public Builder pubsub(PubSub p) { this.pubsub = Objects.requireNonNull(p); return this; }

        /** Parameters of the pubsub the replica creates (ignored with {@link #pubsub}). */
        public Builder gossipParams(GossipParams p) { this.gossipParams = Objects.requireNonNull(p); return this; }

        /** Whether heads are announced over gossipsub (default true); without, heads travel only by {@code onHead}. */
        public Builder announce(boolean on) { this.announce = on; return this; }

        /**
         * Whether the replica follows its topic (default true): with {@code false} it announces its own
         * heads (to the topic's subscribers, through gossipsub's fanout) but subscribes to nothing, so it
         * holds only the blocks written here — a shard the node writes to but does not follow.
         */
        public Builder follow(boolean on) { this.follow = on; return this; }

        /**
         * Whether the replica registers its own block sync server (default true). Replicas of several DAGs
         * on one host share one server instead ({@link BlockSource#anyOf}): the protocol is per host.
         */
        public Builder serve(boolean on) { this.serve = on; return this; }

        /** Period of the jittered rebroadcast of the heads (± 20 %); default 10 s; zero: none. */
        public Builder rebroadcastInterval(Duration d) { this.rebroadcastInterval = Objects.requireNonNull(d); return this; }

        /**
         * Least average time between two announcements of this node, default
         * {@link PubSubBroadcaster#DEFAULT_MIN_PUBLISH_GAP} (50 ms; see
         * {@link PubSubBroadcaster#create(PubSub, String, SyncClient, Duration, Duration)}); a smaller gap needs a
         * larger {@link SyncParams#announceRate()} on the peers.
         */
        public Builder minPublishGap(Duration d) { this.minPublishGap = Objects.requireNonNull(d); return this; }

        /**
         * Engine options and views ({@link MerkleCrdtBuilder}): flush delay, signer, verifier,
         * authorizer, views… The replica sets the DAG name, the fetcher, the broadcaster, the
         * rebroadcast and the rejection hook itself; set those here, not on the engine builder.
         */
        public Builder engine(Consumer<MerkleCrdtBuilder> configure) { this.engine = Objects.requireNonNull(configure); return this; }

        /** Also told of every rejected block (after the supplier was charged); default: nothing. */
        public Builder onRejected(Consumer<RejectedBlockException> c) { this.onRejected = Objects.requireNonNull(c); return this; }

        /** Builds and starts the replica: resumes interrupted walks, serves sync, subscribes to the topic. */
        public Replica start() {
            return new Replica(this);
        }
    }
}
