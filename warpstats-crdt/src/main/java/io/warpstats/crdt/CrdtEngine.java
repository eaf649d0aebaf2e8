package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.DagPb;
import io.warpstats.crdt.store.KvStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Merkle-CRDT engine (Sanjuan, Pöyhtäri, Teixeira, Psaras: "Merkle-CRDTs: Merkle-DAGs meet
 * CRDTs", arXiv 2004.00107; semantics and wire format of ipfs/go-ds-crdt): a facade over one
 * package-private class per mechanism.
 *
 * <h2>State and merge</h2>
 * An add-wins observed-remove set of (key, id, priority, value) elements plus the set of
 * tombstoned (key, id) pairs, both grow-only, so merging deltas in any order, any number of
 * times, gives the same state ({@link DeltaMerge}). The visible value of a key is the live element
 * with the highest priority, ties broken by the larger value (unsigned bytes) — a total order,
 * hence the same winner everywhere.
 *
 * <h2>The mechanisms</h2>
 * <ul>
 *   <li>{@link LocalWriter}: pending generations, flush pacing, backpressure, the chain of signed
 *       local blocks of a flush;</li>
 *   <li>{@link GroupCommit} and {@link Stage}: the single writer — blocks applied into one open
 *       stage, committed as one store batch, the in-memory mirrors published only after it;</li>
 *   <li>{@link WalkScheduler}: heard heads, the durable walk frontier, batched branch fetches with
 *       deadlines and retries, the eager push, idleness ({@link IdleTracker});</li>
 *   <li>{@link VerifyStage}: decoding and shape checks on arrival, signature checks in parallel,
 *       one apply at a time in arrival order; {@link Rejections} remembers what it refused;</li>
 *   <li>{@link HeadTracker}: the committed heads per DAG and their announcement;</li>
 *   <li>{@link StoredState}: what a replica reads back at open, and the repair after an unclean
 *       close (a {@code m/dirty} marker present at open).</li>
 * </ul>
 *
 * <h2>Reads</h2>
 * Lock-free: the store overlaid by the pending generations (the one being flushed, then the
 * current one), so a replica reads its own writes before they are flushed.
 *
 * <p>Concurrency: all public methods are thread-safe. The locks, in the order they may nest:
 * {@link LocalWriter}'s flush lock, then {@link GroupCommit}'s write lock (every store write);
 * the pending-generation lock is never held across either. Timer flushes, fetch deadlines and
 * rebroadcasts run on one scheduler thread per replica; signature checks on the verify pool; fetch
 * completions on the fetcher's threads (or inline).
 */
final class CrdtEngine implements MerkleCrdt, ReplicationPort {
    private static final Logger log = LoggerFactory.getLogger(CrdtEngine.class);

    private final KvStore store;
    private final MerkleCrdtOptions options;
    private final Keys keys;
    private final List<ViewBinding> views;
    private final ScheduledThreadPoolExecutor scheduler;
    private final HeadTracker heads;
    private final Rejections rejections;
    private final GroupCommit commit;
    private final LocalWriter writer;
    private final WalkScheduler walk;
    private final Reaper reaper;
    /** How long a close may spend finishing the reap and a due store compaction. */
    private final long closeBudgetNanos;
    /** The background compaction of the store's files; null when {@link CompactionOptions#storeCompactionEnabled()} is false. */
    private final StoreCompactor storeCompactor;
    /** How long a due reap waits for the replica to go quiet, at most ({@link #scheduleReap}). */
    static final long REAP_DEFER_MAX_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How often a waiting reap looks whether the replica went quiet. */
    static final long REAP_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Past the wait, while busy, a reap stage is followed by a pause this many times its length: at most 1 / (1 + this) of a thread. */
    static final int REAP_PAUSE_FACTOR = 1;
    private final Object reapLock = new Object();
    /** A reap runs (its next stage is queued or running); guarded by {@link #reapLock}. */
    private boolean reapRunning;
    /** The number of the last reap task submitted: only that one runs, an older one still queued does nothing; guarded by {@link #reapLock}. */
    private long reapTask;
    /** Someone waits for the running reap: it runs at full speed; guarded by {@link #reapLock}. */
    private boolean reapHurried;
    /** When the running reap became due ({@link System#nanoTime()}); guarded by {@link #reapLock}. */
    private long reapDue;
    /** Completes when the running reap ends; guarded by {@link #reapLock}. */
    private CompletableFuture<Void> reapDone = CompletableFuture.completedFuture(null);

    CrdtEngine(KvStore store, MerkleCrdtOptions options, CompactionOptions compaction, Broadcaster broadcaster, BlockFetcher fetcher,
               DeltaSigner signer, DeltaVerifier verifier, WriteAuthorizer authorizer, Consumer<RejectedBlockException> onRejected,
               List<ViewBinding> views) {
        this.store = store;
        this.views = views;
        this.options = options;
        this.keys = new Keys(options.namespace());
        String tag = "e" + Integer.toHexString(System.identityHashCode(this));
        Map<String, Map<Cid, Long>> stored = new ConcurrentHashMap<>();
        StoredState.loadHeads(store, keys, stored);
        if (store.get(keys.dirty).isPresent()) StoredState.repair(store, keys, stored);
        store.put(keys.dirty, new byte[] {1});
        this.heads = new HeadTracker(broadcaster, stored);
        this.rejections = new Rejections(onRejected);
        // the views are bound before the walks resume below: no merge goes unseen
        this.commit = new GroupCommit(store, keys, heads, rejections, new CopyOnWriteArrayList<>(views), tag);
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "warpstats-crdt-" + options.dagName());
            t.setDaemon(true);
            return t;
        });
        byte[] epoch = compaction.enabled() ? StoredState.loadEpoch(store, keys) : new byte[0];
        this.writer = new LocalWriter(options, keys, store, signer, commit, heads, scheduler, tag, epoch, new Checkpointer(keys, compaction));
        this.closeBudgetNanos = compaction.closeBudget().toNanos();
        this.storeCompactor = compaction.storeCompactionEnabled() ? new StoreCompactor(store, compaction, options.dagName()) : null;
        this.reaper = new Reaper(commit, keys, heads, storeCompactor == null ? bytes -> {} : storeCompactor::deleted);
        commit.onCoverageRaised(this::scheduleReap);
        commit.compactedHere(reaper::recentlyReaped);
        BlockChecks checks = new BlockChecks(verifier, authorizer, options.acceptUnsigned());
        this.walk = new WalkScheduler(options, fetcher, scheduler, commit, heads, rejections, checks, verifier, tag);
        long rb = options.rebroadcastInterval().toMillis();
        if (rb > 0) scheduler.scheduleWithFixedDelay(this::rebroadcastQuietly, rb, rb, TimeUnit.MILLISECONDS);
        long cp = compaction.checkpointInterval().toMillis();
        if (cp > 0) scheduler.scheduleWithFixedDelay(this::checkpointIfWrittenQuietly, cp, cp, TimeUnit.MILLISECONDS);
        scheduleReap(); // a reap a crash interrupted (coverage is durable, the reaped marks are not)
        walk.resume();
    }

    // ------------------------------------------------------------------ compaction

    /**
     * Starts a reap unless one runs. It runs one stage per task on the scheduler, each task submitting the next, so
     * the local flushes, checkpoints and walk timers due meanwhile run between two stages: a reap of thousands of
     * covered blocks (seconds) would otherwise hold every local write's flush for its whole length. A reap is
     * background work, and on a machine the writes keep busy its CPU comes out of their latency; so while the
     * replica is busy (a local flush within {@link LocalWriter#QUIET}, or remote blocks heard of and not merged yet)
     * it waits, looking again every {@link #REAP_RECHECK_NANOS}, for at most {@link #REAP_DEFER_MAX_NANOS} after it
     * became due; past that, each stage is followed by a pause {@link #REAP_PAUSE_FACTOR} times its length. A quiet
     * replica reaps at full speed; {@link #tidy}, {@link #compact}, {@link #whenIdle} and the close neither wait
     * nor pause.
     */
    private void scheduleReap() {
        synchronized (reapLock) {
            if (reapRunning) return;
            reapRunning = true;
            reapHurried = false;
            reapDue = System.nanoTime();
            reapDone = new CompletableFuture<>();
        }
        submitReapStage(0);
    }

    /** Submits the reap's next task; it supersedes any task still queued (a pause, a wait that a hurry cut short). */
    private void submitReapStage(long delayNanos) {
        long task;
        synchronized (reapLock) {
            task = ++reapTask;
        }
        try {
            if (delayNanos <= 0) scheduler.execute(() -> reapStage(task));
            else scheduler.schedule(() -> reapStage(task), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            endReap(); // closing
        }
    }

    private void reapStage(long task) {
        long start = System.nanoTime();
        long due;
        synchronized (reapLock) {
            if (!reapRunning || task != reapTask) return;
            due = reapDue;
        }
        if (busy() && start - due < REAP_DEFER_MAX_NANOS && !commit.isClosed()) {
            submitReapStage(REAP_RECHECK_NANOS);
            return;
        }
        boolean more;
        try {
            more = reaper.runStage();
        } catch (RuntimeException e) {
            more = false;
            if (!commit.isClosed()) log.warn("reaping covered blocks failed (retried when coverage rises again)", e);
        }
        if (more && !commit.isClosed()) {
            submitReapStage(busy() ? (System.nanoTime() - start) * REAP_PAUSE_FACTOR : 0);
            return;
        }
        endReap();
        if (!commit.isClosed() && reaper.hasWork()) scheduleReap(); // coverage rose after the last stage looked
    }

    /**
     * Someone waits for the running reap ({@link #whenIdle}): it neither waits nor pauses any more, and its next
     * task runs now, in place of the one queued. Returns the reap's end.
     */
    private CompletableFuture<Void> hurryReap() {
        CompletableFuture<Void> done;
        synchronized (reapLock) {
            done = reapDone;
            if (!reapRunning || reapHurried) return done;
            reapHurried = true;
        }
        submitReapStage(0);
        return done;
    }

    /** Not hurried, and local writes flushed lately or remote blocks waiting: a reap now would take CPU from them. */
    private boolean busy() {
        synchronized (reapLock) {
            if (reapHurried) return false;
        }
        return writer.writtenLately() || commit.remoteBehind();
    }

    private void endReap() {
        CompletableFuture<Void> done;
        synchronized (reapLock) {
            reapRunning = false;
            done = reapDone;
        }
        done.complete(null);
    }

    private void checkpointIfWrittenQuietly() {
        try {
            writer.checkpointIfWritten();
        } catch (RuntimeException e) {
            if (!commit.isClosed()) log.warn("periodic checkpoint failed", e);
        }
    }

    @Override
    public CompletableFuture<Void> compact() {
        return onScheduler(() -> {
            writer.checkpoint();
            reaper.run();
        });
    }

    @Override
    public CompletableFuture<Void> tidy() {
        CompletableFuture<Void> reaped = onScheduler(reaper::run);
        return storeCompactor == null ? reaped : reaped.thenCompose(v -> storeCompactor.checkNow(true));
    }

    /** Tasks waiting on the engine's scheduler thread (timers included); for tests. */
    int scheduledTasks() {
        return scheduler.getQueue().size();
    }

    /** Runs {@code task} on the engine's scheduler thread; the future fails if it throws or the engine is closed. */
    private CompletableFuture<Void> onScheduler(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            scheduler.execute(() -> {
                try {
                    task.run();
                    done.complete(null);
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("closed"));
        }
        return done;
    }

    /** Store compactions completed since open (0 without the background compaction). */
    private long storeCompactions() {
        return storeCompactor == null ? 0 : storeCompactor.compactions();
    }

    /** Checks the store compaction's trigger now and compacts if it is due; completes after (tests). */
    CompletableFuture<Void> checkStoreCompaction() {
        return storeCompactor == null ? CompletableFuture.completedFuture(null) : storeCompactor.checkNow(false);
    }

    @Override
    public void onPruned(Cid cid) {
        walk.pruned(cid);
    }

    @Override
    public boolean recentlyCompacted(Cid cid) {
        return reaper.recentlyReaped(cid);
    }

    @Override
    public boolean isPending(Cid cid) {
        return commit.isPendingCommitted(cid);
    }

    // ------------------------------------------------------------------ local writes

    @Override
    public String dagName() {
        return options.dagName();
    }

    @Override
    public void put(String key, byte[] value) {
        writer.put(key, value);
    }

    @Override
    public void delete(String key) {
        writer.delete(key);
    }

    @Override
    public CompletableFuture<Void> flush() {
        try {
            writer.flush();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Keys waiting for a flush: the current generation plus the one being flushed (tests). */
    int pendingKeys() {
        return writer.pendingKeys();
    }

    /** Times a writer had to wait for a flush because {@code maxPendingKeys} keys were pending (tests). */
    long backpressureWaits() {
        return writer.backpressureWaits();
    }

    /** Reap passes that kept covered blocks because the covering checkpoint was incomplete in the store (tests). */
    long reapStalls() {
        return reaper.stalls();
    }

    /** Reap stages committed since open (each one transaction under the write lock); for tests. */
    long reapStages() {
        return reaper.stages();
    }

    /** The committed coverage of a lineage (tests). */
    long coveredBelow(byte[] lineage) {
        return commit.coverage().coveredBelow(null, lineage);
    }

    /** The durable walk frontier (tests). */
    List<Cid> frontier() {
        return commit.frontierCids();
    }

    /** Fetches abandoned at their {@code fetchTimeout} (tests). */
    long fetchTimeouts() {
        return walk.fetchTimeouts();
    }

    // ------------------------------------------------------------------ reads

    @Override
    public Optional<byte[]> get(String key) {
        PendingWrites p = writer.current();
        byte[] v = p.get(key);
        if (v != null) return v == PendingWrites.DELETED ? Optional.empty() : Optional.of(v);
        PendingWrites f = writer.flushing();
        if (f != null) {
            v = f.get(key);
            if (v != null) return v == PendingWrites.DELETED ? Optional.empty() : Optional.of(v);
        }
        return store.get(keys.value(key)).map(r -> Arrays.copyOfRange(r, 8, r.length));
    }

    @Override
    public Optional<byte[]> getDurable(String key) {
        return store.get(keys.value(key)).map(r -> Arrays.copyOfRange(r, 8, r.length));
    }

    @Override
    public void query(String prefix, BiConsumer<String, byte[]> visitor) {
        query(prefix, null, Integer.MAX_VALUE, visitor);
    }

    /*
     * A page of a prefix without reading the rest of it. The visible state is the store overlaid by
     * the pending generations (flushing, then current): their puts add keys, their deletes hide
     * keys. Reading the first limit + D store keys after the start, D being the number of pending
     * deletes under the prefix, is enough: a visible store key among the first `limit` visible keys
     * has at most D hidden store keys before it, so its rank in the store range is at most limit + D.
     * Pending puts are few (at most maxPendingKeys) and all are overlaid.
     */
    @Override
    public void query(String prefix, String startAfter, int limit, BiConsumer<String, byte[]> visitor) {
        if (limit < 0) throw new IllegalArgumentException("limit must be >= 0: " + limit);
        if (limit == 0) return;
        String from = startAfter == null ? prefix : prefix + startAfter;
        PendingWrites f = writer.flushing();
        PendingWrites c = writer.current();
        long want = (long) limit + c.deletesUnder(prefix) + (f == null ? 0 : f.deletesUnder(prefix));
        TreeMap<String, byte[]> out = new TreeMap<>(Keys.UTF8_ORDER);
        int nsLen = keys.v.length;
        store.scan(keys.value(prefix), keys.value(from), (k, v) -> {
            String key = new String(k, nsLen, k.length - nsLen, StandardCharsets.UTF_8);
            if (startAfter == null || !key.equals(from)) out.put(key, Arrays.copyOfRange(v, 8, v.length));
            return out.size() < want;
        });
        if (f != null) f.overlay(prefix, out);
        c.overlay(prefix, out);
        int n = 0;
        for (Map.Entry<String, byte[]> e : out.tailMap(from, startAfter == null).entrySet()) {
            if (n++ == limit) break;
            visitor.accept(e.getKey(), e.getValue());
        }
    }

    @Override
    public List<Head> heads() {
        return heads.list(options.dagName());
    }

    @Override
    public Optional<byte[]> block(Cid cid) {
        return store.get(keys.processed(cid)).map(r -> Arrays.copyOfRange(r, 8, r.length));
    }

    /** Committed, as {@link #block} sees it: the processed cache, else a store lookup that copies nothing. */
    @Override
    public boolean hasBlock(Cid cid) {
        return commit.hasBlock(cid);
    }

    /** From the links of recently committed blocks (the heads and just below: what sync clients walk), else decoded from the store. */
    @Override
    public Optional<List<Cid>> links(Cid cid) {
        List<Cid> l = commit.recentLinks(cid);
        if (l != null) return Optional.of(l);
        return block(cid).map(b -> {
            List<Cid> r = new ArrayList<>();
            for (DagPb.Link link : DagPb.decode(b).links()) r.add(link.hash());
            return r;
        });
    }

    @Override
    public ViewRows view(MaterializedView view) {
        for (ViewBinding b : views) if (b.view == view) return b.committed(store);
        throw new IllegalArgumentException("view " + view.name() + " is not registered on this replica (MerkleCrdtBuilder.view)");
    }

    @Override
    public ReplicationPort replication() {
        return this;
    }

    @Override
    public CrdtMetrics metrics() {
        return new CrdtMetrics(writer.puts(), writer.localBlocks(), commit.mergedBlocks(), rejections.count(), walk.fetchFailures(),
                walk.pendingBlocks(), walk.runningFetches(), heads.committed(options.dagName()).size(), commit.blocksHeld(),
                commit.syncLagNanos() / 1_000_000, rejections.byReason(), writer.checkpoints(), reaper.reapedBlocks(), walk.prunedLinks(),
                storeCompactions());
    }

    // ------------------------------------------------------------------ remote

    @Override
    public void onBroadcast(CrdtBroadcast msg) {
        walk.onBroadcast(msg);
    }

    @Override
    public void onHead(Cid head) {
        walk.onHead(head);
    }

    /**
     * The walk is idle, then the scheduler ran everything submitted before, then the reap a merged checkpoint started
     * is done: a reap waiting for a busy replica to go quiet runs at once, at full speed, for whoever waits here.
     */
    @Override
    public CompletableFuture<Void> whenIdle() {
        return walk.whenIdle().thenCompose(v -> {
            CompletableFuture<Void> barrier = new CompletableFuture<>();
            try {
                scheduler.execute(() -> barrier.complete(null));
            } catch (RejectedExecutionException e) {
                barrier.complete(null); // closed: nothing runs any more
            }
            return barrier;
        }).thenCompose(v -> hurryReap());
    }

    private void rebroadcastQuietly() {
        try {
            rebroadcast();
        } catch (RuntimeException e) {
            if (!commit.isClosed()) log.warn("rebroadcast failed", e);
        }
    }

    @Override
    public void rebroadcast() {
        if (commit.isClosed()) return;
        heads.broadcast(Map.of());
        walk.requeue();
    }

    // ------------------------------------------------------------------ close

    /**
     * Runs the reaper once more on the engine's thread, after whatever is queued there, and waits for it until
     * {@code deadline}: a close right after coverage rose (a checkpoint merged) would otherwise leave the covered
     * history on disk until the next open. Past the deadline the close goes on; the reaper stops between two stages
     * when the commit closes (each stage is one transaction), and the next open resumes it.
     */
    private void finishReap(long deadline) {
        boolean done = StoreCompactor.runUntil(scheduler, () -> {
            try {
                reaper.run();
            } catch (RuntimeException e) {
                log.warn("reaping covered blocks at close failed (resumed at the next open)", e);
            }
        }, deadline);
        if (!done) log.info("the reap of covered blocks did not finish within the close budget; the next open resumes it");
    }

    @Override
    public void close() {
        if (commit.isClosed()) return;
        try {
            writer.flush();
        } catch (RuntimeException e) {
            log.warn("final flush failed", e);
        }
        long deadline = System.nanoTime() + closeBudgetNanos;
        if (closeBudgetNanos > 0) finishReap(deadline);
        if (storeCompactor != null) storeCompactor.close(deadline); // a due compaction runs until the deadline, then is cancelled
        commit.commitQuietly();
        commit.close();
        scheduler.shutdownNow();
        endReap(); // a reap whose next stage was queued: whenIdle does not wait for it any more
        walk.verifyStage().close();
        commit.clearDirtyFlag();
    }
}
