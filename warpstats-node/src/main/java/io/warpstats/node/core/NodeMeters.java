package io.warpstats.node.core;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.warpstats.crdt.RejectedBlockException;
import io.warpstats.p2p.pubsub.PubSub;
import io.warpstats.p2p.pubsub.PubSubMetrics;
import io.warpstats.replication.PeerPenalty;
import io.warpstats.replication.PubSubBroadcaster;
import io.warpstats.replication.SyncMetrics;
import io.warpstats.stats.StatsService;
import java.util.function.ToDoubleFunction;

/**
 * The node's meters beside the HTTP API's own ({@code ApiMetrics}): blocks rejected by reason, sync
 * offenses by kind and bans at the connection gate, block
 * sync requests, blocks and bytes by side, announcements published, received and suppressed, the bytes
 * of each store on disk, and the JVM and process through Micrometer's binders. Every value is read from
 * the part that owns it when Prometheus scrapes; nothing is copied or estimated.
 */
final class NodeMeters {
    private NodeMeters() {}

    static PrometheusMeterRegistry bind(PrometheusMeterRegistry r, ShardReplicas replica, StatsService stats, PenaltyGate gate) {
        for (PeerPenalty.Offense offense : PeerPenalty.Offense.values()) {
            FunctionCounter.builder("warpstats.sync.penalties", gate, g -> g.reports(offense))
                    .tag("offense", offense.name().toLowerCase(java.util.Locale.ROOT))
                    .description("offenses of sync peers reported since start, by offense").register(r);
        }
        FunctionCounter.builder("warpstats.peers.bans", gate, PenaltyGate::bans)
                .description("peers banned at the connection gate since start (sync score at the ban threshold)").register(r);
        for (RejectedBlockException.Reason reason : RejectedBlockException.Reason.values()) {
            FunctionCounter.builder("warpstats.crdt.rejected", replica, x -> x.crdt().metrics().rejectedByReason().getOrDefault(reason, 0L))
                    .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
                    .description("remote blocks rejected since start, by reason").register(r);
        }
        Gauge.builder("warpstats.crdt.pending", replica, x -> x.crdt().metrics().pendingBlocks())
                .description("blocks heard of and not merged yet").register(r);
        Gauge.builder("warpstats.crdt.blocks.held", replica, x -> x.crdt().metrics().blocksHeld())
                .description("blocks in the store (compaction deletes the covered ones)").register(r);
        FunctionCounter.builder("warpstats.crdt.puts", replica, x -> x.crdt().metrics().puts())
                .description("puts and deletes of this node's CRDT since start (before coalescing per key)").register(r);
        FunctionCounter.builder("warpstats.crdt.local.blocks", replica, x -> x.crdt().metrics().localBlocks())
                .description("blocks this node wrote since start (flushes and checkpoint parts)").register(r);
        FunctionCounter.builder("warpstats.crdt.checkpoints", replica, x -> x.crdt().metrics().checkpoints())
                .description("checkpoints of this node's own writes since start").register(r);
        FunctionCounter.builder("warpstats.crdt.reaped", replica, x -> x.crdt().metrics().reapedBlocks())
                .description("blocks deleted since start because their author's checkpoint covers them").register(r);
        FunctionCounter.builder("warpstats.crdt.store.compactions", replica, x -> x.crdt().metrics().storeCompactions())
                .description("background compactions of the CRDT store's files since start (deleted rows leave the disk)").register(r);
        FunctionCounter.builder("warpstats.crdt.pruned.links", replica, x -> x.crdt().metrics().prunedLinks())
                .description("links let go since start because a peer compacted their block away").register(r);
        sync(r, "client", replica, ShardReplicas::clientMetrics);
        sync(r, "server", replica, x -> x.server().metrics());
        FunctionCounter.builder("warpstats.pubsub.announcements", replica, x -> x.announcements(PubSubBroadcaster::published)).tag("direction", "published")
                .description("announcements of heads published").register(r);
        FunctionCounter.builder("warpstats.pubsub.announcements", replica, x -> x.announcements(PubSubBroadcaster::received)).tag("direction", "received")
                .description("valid announcements of heads received").register(r);
        FunctionCounter.builder("warpstats.pubsub.announcements.suppressed.heads", replica, x -> x.announcements(PubSubBroadcaster::suppressed))
                .description("heads left out of announcements as announced recently").register(r);
        PubSub ps = replica.pubsub();
        if (ps != null) {
            pubsub(r, ps, "delivered", m -> m.delivered(), "messages accepted and delivered (first copies)");
            pubsub(r, ps, "invalid", m -> m.invalid(), "messages dropped as invalid (bad signature, no author or sequence number, too large): P4 for the sender");
            pubsub(r, ps, "duplicate", m -> m.duplicates(), "copies of messages already seen, dropped before their signature is checked");
            pubsub(r, ps, "graylisted", m -> m.graylistedRpcs(), "RPCs ignored whole: their sender's score is below the graylist threshold");
            pubsub(r, ps, "shed", m -> m.shedFrames(), "inbound frames shed while the pubsub loop was behind (no penalty)");
            pubsub(r, ps, "dropped-outbound", m -> m.droppedOutbound(), "RPCs to a peer dropped: its outbound queue was full (no penalty)");
        }
        Gauge.builder("warpstats.store.disk", replica, s -> safe(s::sizeOnDiskBytes)).tag("store", "crdt").baseUnit("bytes")
                .description("live SST files plus write-ahead log").register(r);
        Gauge.builder("warpstats.store.disk", stats, s -> safe(s::localDatabaseSizeBytes)).tag("store", "local").baseUnit("bytes")
                .description("live SST files plus write-ahead log").register(r);
        new JvmMemoryMetrics().bindTo(r);
        new JvmGcMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        new FileDescriptorMetrics().bindTo(r);
        return r;
    }

    private static void sync(PrometheusMeterRegistry r, String side, ShardReplicas replica, java.util.function.Function<ShardReplicas, SyncMetrics> m) {
        counter(r, "warpstats.sync.requests", side, replica, x -> m.apply(x).requests(), "block sync round trips");
        counter(r, "warpstats.sync.blocks", side, replica, x -> m.apply(x).blocks(), "blocks received and verified (client) or sent (server)");
        counter(r, "warpstats.sync.wire.bytes", side, replica, x -> m.apply(x).wireBytes(), "bytes of block frames on the wire");
    }

    private static void pubsub(PrometheusMeterRegistry r, PubSub ps, String outcome,
                               ToDoubleFunction<PubSubMetrics> f, String what) {
        FunctionCounter.builder("warpstats.pubsub.messages", ps, x -> f.applyAsDouble(x.metrics())).tag("outcome", outcome)
                .description(what).register(r);
    }

    private static void counter(PrometheusMeterRegistry r, String name, String side, ShardReplicas replica, ToDoubleFunction<ShardReplicas> f, String what) {
        FunctionCounter.builder(name, replica, f).tag("side", side).description(what).register(r);
    }

    private static double safe(java.util.function.LongSupplier s) {
        try {
            return s.getAsLong();
        } catch (RuntimeException e) {
            return Double.NaN; // closed
        }
    }
}
