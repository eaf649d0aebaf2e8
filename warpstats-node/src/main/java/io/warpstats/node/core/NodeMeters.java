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
import io.warpstats.crdt.store.KvStore;
import io.warpstats.replication.PubSubBroadcaster;
import io.warpstats.replication.Replica;
import io.warpstats.replication.SyncMetrics;
import io.warpstats.stats.StatsService;
import java.util.function.ToDoubleFunction;

/**
 * The node's meters beside the HTTP API's own ({@code ApiMetrics}): blocks rejected by reason, block
 * sync requests, blocks and bytes by side, announcements published, received and suppressed, the bytes
 * of each store on disk, and the JVM and process through Micrometer's binders. Every value is read from
 * the part that owns it when Prometheus scrapes; nothing is copied or estimated.
 */
final class NodeMeters {
    private NodeMeters() {}

    static PrometheusMeterRegistry bind(PrometheusMeterRegistry r, Replica replica, KvStore store, StatsService stats) {
        for (RejectedBlockException.Reason reason : RejectedBlockException.Reason.values()) {
            FunctionCounter.builder("warpstats.crdt.rejected", replica, x -> x.crdt().metrics().rejectedByReason().getOrDefault(reason, 0L))
                    .tag("reason", reason.name().toLowerCase(java.util.Locale.ROOT))
                    .description("remote blocks rejected since start, by reason").register(r);
        }
        Gauge.builder("warpstats.crdt.pending", replica, x -> x.crdt().metrics().pendingBlocks())
                .description("blocks heard of and not merged yet").register(r);
        Gauge.builder("warpstats.crdt.blocks.held", replica, x -> x.crdt().metrics().blocksHeld())
                .description("blocks in the store (compaction deletes the covered ones)").register(r);
        FunctionCounter.builder("warpstats.crdt.checkpoints", replica, x -> x.crdt().metrics().checkpoints())
                .description("checkpoints of this node's own writes since start").register(r);
        FunctionCounter.builder("warpstats.crdt.reaped", replica, x -> x.crdt().metrics().reapedBlocks())
                .description("blocks deleted since start because their author's checkpoint covers them").register(r);
        FunctionCounter.builder("warpstats.crdt.pruned.links", replica, x -> x.crdt().metrics().prunedLinks())
                .description("links let go since start because a peer compacted their block away").register(r);
        sync(r, "client", replica, x -> x.sync().metrics());
        sync(r, "server", replica, x -> x.server().metrics());
        PubSubBroadcaster a = replica.announcer();
        if (a != null) {
            FunctionCounter.builder("warpstats.pubsub.announcements", a, PubSubBroadcaster::published).tag("direction", "published")
                    .description("announcements of heads published").register(r);
            FunctionCounter.builder("warpstats.pubsub.announcements", a, PubSubBroadcaster::received).tag("direction", "received")
                    .description("valid announcements of heads received").register(r);
            FunctionCounter.builder("warpstats.pubsub.announcements.suppressed.heads", a, PubSubBroadcaster::suppressed)
                    .description("heads left out of announcements as announced recently").register(r);
        }
        Gauge.builder("warpstats.store.disk", store, s -> safe(s::sizeOnDiskBytes)).tag("store", "crdt").baseUnit("bytes")
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

    private static void sync(PrometheusMeterRegistry r, String side, Replica replica, java.util.function.Function<Replica, SyncMetrics> m) {
        counter(r, "warpstats.sync.requests", side, replica, x -> m.apply(x).requests(), "block sync round trips");
        counter(r, "warpstats.sync.blocks", side, replica, x -> m.apply(x).blocks(), "blocks received and verified (client) or sent (server)");
        counter(r, "warpstats.sync.wire.bytes", side, replica, x -> m.apply(x).wireBytes(), "bytes of block frames on the wire");
    }

    private static void counter(PrometheusMeterRegistry r, String name, String side, Replica replica, ToDoubleFunction<Replica> f, String what) {
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
