package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Builds a {@link MerkleCrdt}. Only the store is required:
 * <pre>{@code
 * MerkleCrdt crdt = MerkleCrdt.builder(KvStores.rocksDb(dir))
 *     .broadcaster(announcer)
 *     .fetcher(sync)
 *     .signer(signer).verifier(verifier).authorizer(stats::mayWrite).acceptUnsigned(false)
 *     .onRejected(e -> p2p.penalize(e))
 *     .view(stats.view())            // registered before build() resumes interrupted walks
 *     .build();
 * }</pre>
 */
public final class MerkleCrdtBuilder {
    private final KvStore store;
    private MerkleCrdtOptions o = MerkleCrdtOptions.defaults();
    private Broadcaster broadcaster = msg -> {};
    private BlockFetcher fetcher = cid -> CompletableFuture.failedFuture(new IllegalStateException("no BlockFetcher configured"));
    private DeltaSigner signer;
    private DeltaVerifier verifier;
    private WriteAuthorizer authorizer = WriteAuthorizer.allowAll();
    private Consumer<RejectedBlockException> onRejected = e -> {};
    private final List<MaterializedView> views = new ArrayList<>();
    private CompactionOptions compaction = CompactionOptions.defaults();

    MerkleCrdtBuilder(KvStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    public MerkleCrdtBuilder options(MerkleCrdtOptions options) { this.o = Objects.requireNonNull(options); return this; }

    public MerkleCrdtBuilder namespace(String ns) {
        o = new MerkleCrdtOptions(ns, o.dagName(), o.flushDelay(), o.maxBatchKeys(), o.maxPendingKeys(), o.rebroadcastInterval(), o.maxConcurrentFetches(), o.maxPendingBlocks(), o.acceptUnsigned(), o.fetchTimeout());
        return this;
    }

    public MerkleCrdtBuilder dagName(String dag) {
        o = new MerkleCrdtOptions(o.namespace(), dag, o.flushDelay(), o.maxBatchKeys(), o.maxPendingKeys(), o.rebroadcastInterval(), o.maxConcurrentFetches(), o.maxPendingBlocks(), o.acceptUnsigned(), o.fetchTimeout());
        return this;
    }

    public MerkleCrdtBuilder flushDelay(Duration d) {
        o = new MerkleCrdtOptions(o.namespace(), o.dagName(), d, o.maxBatchKeys(), o.maxPendingKeys(), o.rebroadcastInterval(), o.maxConcurrentFetches(), o.maxPendingBlocks(), o.acceptUnsigned(), o.fetchTimeout());
        return this;
    }

    public MerkleCrdtBuilder maxBatchKeys(int n) {
        o = new MerkleCrdtOptions(o.namespace(), o.dagName(), o.flushDelay(), n, Math.max(n, (int) Math.min(Integer.MAX_VALUE, 4L * n)), o.rebroadcastInterval(), o.maxConcurrentFetches(), o.maxPendingBlocks(), o.acceptUnsigned(), o.fetchTimeout());
        return this;
    }

    /** Hard bound on keys waiting for a flush; writers beyond it wait for (and help) the flush. */
    public MerkleCrdtBuilder maxPendingKeys(int n) {
        o = new MerkleCrdtOptions(o.namespace(), o.dagName(), o.flushDelay(), o.maxBatchKeys(), n, o.rebroadcastInterval(), o.maxConcurrentFetches(), o.maxPendingBlocks(), o.acceptUnsigned(), o.fetchTimeout());
        return this;
    }

    public MerkleCrdtBuilder rebroadcastInterval(Duration d) {
        o = new MerkleCrdtOptions(o.namespace(), o.dagName(), o.flushDelay(), o.maxBatchKeys(), o.maxPendingKeys(), d, o.maxConcurrentFetches(), o.maxPendingBlocks(), o.acceptUnsigned(), o.fetchTimeout());
        return this;
    }

    public MerkleCrdtBuilder maxConcurrentFetches(int n) {
        o = new MerkleCrdtOptions(o.namespace(), o.dagName(), o.flushDelay(), o.maxBatchKeys(), o.maxPendingKeys(), o.rebroadcastInterval(), n, o.maxPendingBlocks(), o.acceptUnsigned(), o.fetchTimeout());
        return this;
    }

    public MerkleCrdtBuilder acceptUnsigned(boolean accept) {
        o = new MerkleCrdtOptions(o.namespace(), o.dagName(), o.flushDelay(), o.maxBatchKeys(), o.maxPendingKeys(), o.rebroadcastInterval(), o.maxConcurrentFetches(), o.maxPendingBlocks(), accept, o.fetchTimeout());
        return this;
    }

    /** Deadline of one branch fetch (see {@link MerkleCrdtOptions#fetchTimeout()}). */
    /** When this replica checkpoints its own writes (docs/crdt.md, "Compaction"); default {@link CompactionOptions#defaults()}. */
    public MerkleCrdtBuilder compaction(CompactionOptions c) { this.compaction = Objects.requireNonNull(c, "compaction"); return this; }

    /** {@link #compaction} with this checkpoint interval and the default size trigger; {@link Duration#ZERO}: compaction off. */
    public MerkleCrdtBuilder checkpointInterval(Duration d) {
        this.compaction = compaction.withCheckpointInterval(d);
        return this;
    }

    /** The compaction options so far. */
    public CompactionOptions compaction() { return compaction; }

    public MerkleCrdtBuilder fetchTimeout(Duration d) {
        o = new MerkleCrdtOptions(o.namespace(), o.dagName(), o.flushDelay(), o.maxBatchKeys(), o.maxPendingKeys(), o.rebroadcastInterval(), o.maxConcurrentFetches(), o.maxPendingBlocks(), o.acceptUnsigned(), d);
        return this;
    }

    /** Where heads are announced (default: nowhere). */
    public MerkleCrdtBuilder broadcaster(Broadcaster b) { this.broadcaster = Objects.requireNonNull(b); return this; }

    /** Where unknown blocks are fetched (default: fails every fetch). */
    public MerkleCrdtBuilder fetcher(BlockFetcher f) { this.fetcher = Objects.requireNonNull(f); return this; }

    /** Signs local deltas (default: unsigned, go-ds-crdt style). */
    public MerkleCrdtBuilder signer(DeltaSigner s) { this.signer = s; return this; }

    /** Verifies signed remote deltas (default: none; signatures are then ignored and the author is unknown). */
    public MerkleCrdtBuilder verifier(DeltaVerifier v) { this.verifier = v; return this; }

    /** Decides who may write which key (default: everyone everything). */
    public MerkleCrdtBuilder authorizer(WriteAuthorizer a) { this.authorizer = Objects.requireNonNull(a); return this; }

    /** Told of every rejected block (also thrown to the fetchBranch sink). */
    public MerkleCrdtBuilder onRejected(Consumer<RejectedBlockException> c) { this.onRejected = Objects.requireNonNull(c); return this; }

    /**
     * Registers a materialized view, kept in the same atomic write as the changes it derives from.
     * Views are registered before {@link #build()} because opening resumes interrupted walks at once:
     * a view that missed those merges would be wrong. Views are called in the order registered;
     * their names must not overlap each other or the namespace ({@link #build()} checks).
     */
    public MerkleCrdtBuilder view(MaterializedView view) { this.views.add(Objects.requireNonNull(view, "view")); return this; }

    /** The options so far. */
    public MerkleCrdtOptions options() { return o; }

    /**
     * Opens the replica: rebuilds views whose rows are of another version, loads heads, repairs if the last
     * run did not close cleanly, resumes interrupted walks.
     */
    public MerkleCrdt build() {
        ViewBinding.checkNames(o.namespace(), views);
        List<ViewBinding> bound = new ArrayList<>();
        for (MaterializedView v : views) bound.add(new ViewBinding(v));
        ElementIdUpgrade.run(store, o.namespace()); // a store of an earlier release: element ids in go-ds-crdt's form
        ViewRebuild.upToDate(store, o.namespace(), bound); // before anything merges: rows of another version are rebuilt
        return new CrdtEngine(store, o, compaction, broadcaster, fetcher, signer, verifier, authorizer, onRejected, List.copyOf(bound));
    }

}
