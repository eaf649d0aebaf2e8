package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of a replica's DAG state: applies blocks (local or remote) into the open
 * {@link Stage}, commits the stage as ONE store batch, and only then publishes the in-memory
 * mirrors of what the batch wrote.
 *
 * <h2>Applying a block</h2>
 * {@link #apply} stores the block bytes and its processed marker in one key, merges its delta
 * ({@link DeltaMerge}), removes the heads it links to, makes it a head if no processed block links
 * to it (its frontier record says "linked to"), removes it from the durable walk frontier
 * ({@code p/}) and adds its unprocessed links to it. The frontier is durable, so an interrupted
 * walk resumes at open: go-ds-crdt marked blocks processed before their branch was done and lost
 * branches on crashes (go-ds-crdt issues 23 and 279); here no marker is ever written before the
 * work it stands for, so a crash loses at most the open stage, whose walks resume from the frontier.
 *
 * <h2>Group commit</h2>
 * Several blocks share one stage (one RocksDB batch) up to {@link #GROUP_COMMIT_BLOCKS} blocks or
 * {@link #GROUP_COMMIT_BYTES}; the walk commits whenever it waits or a fetch ends, a local flush
 * commits before it returns. The commit runs on the caller's thread, under the write lock,
 * synchronously: there is never a second stage being written while the next one fills, so a
 * stage always reads the store (through the {@link ValueCache}) directly.
 *
 * <h2>Invariant: the mirrors never run ahead of the store</h2>
 * The heads ({@link HeadTracker}), the frontier, the processed-CID cache, the recent links, the
 * early-tombstone index and the value cache are changed only by {@link #commit}, after the batch
 * is written; a failed write drops the stage and publishes nothing. Every lookup under the lock
 * reads the open stage first, then the mirrors, then the store ("as the store will be after the
 * stage").
 *
 * <p>Concurrency: one {@link ReentrantLock} (the write lock) guards the open stage, the value
 * cache and every store write of the engine; the mirrors are concurrent maps written under it and
 * read without it (lock-free readers see a block's changes either not yet or all of them, per map).
 * Callers take the lock with {@link #lock} around {@link #apply}/{@link #stage}/{@link #commit};
 * the public lookups take it themselves (reentrant). {@link #close} is read by every mechanism of
 * the engine.
 */
final class GroupCommit {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);
    /** Remote blocks applied into one store batch at most; the batch is also committed whenever the walk waits. */
    static final int GROUP_COMMIT_BLOCKS = 512;
    private static final long GROUP_COMMIT_BYTES = 16L << 20;
    /** Winning-value records cached: ~13 MB at most with 100-byte keys. */
    private static final int VALUE_CACHE_ENTRIES = 65_536;
    /** Processed CIDs remembered in memory (a positive cache: processed is forever); cleared when full. */
    private static final int PROCESSED_CACHE = 200_000;
    /** Links of recently committed blocks remembered; cleared when full. */
    private static final int RECENT_LINKS = 8_192;

    private final KvStore store;
    private final Keys keys;
    private final HeadTracker heads;
    private final Rejections rejections;
    private final DeltaMerge merge;
    private final Coverage coverage;
    /** Called (on the committing thread) after a commit raised some lineage's coverage: wakes the reaper. */
    private volatile Runnable onCoverageRaised = () -> {};
    /** Blocks this replica deleted lately because a checkpoint covers them: a link to one is not walked. */
    private volatile java.util.function.Predicate<Cid> compactedHere = c -> false;
    private final String tag;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** The open stage; guarded by writeLock. */
    private Stage stage;
    /** Writes of the last committed stage: the size hint of the next one's overlay; guarded by writeLock. */
    private int lastStageWrites;
    /** Stored winning values of recently merged keys; guarded by writeLock. */
    private final ValueCache values;
    /** Exact mirror of the durable walk frontier ({@code p/}). */
    private final Map<Cid, byte[]> frontier = new ConcurrentHashMap<>();
    /** The frontier entries a running commit adds, from before its store write until they are in {@link #frontier}. */
    private final Set<Cid> entering = ConcurrentHashMap.newKeySet();
    /** CIDs known processed (committed); a subset of {@code b/}. */
    private final Set<Cid> processedCache = ConcurrentHashMap.newKeySet();
    /** Links of recently committed blocks: {@link #recentLinks} without a store read. */
    private final Map<Cid, List<Cid>> recentLinks = new ConcurrentHashMap<>();
    /** Exact mirror of the early-tombstone index ({@code T/}): element id → keys; small (ids of unprocessed blocks). */
    private final Map<String, Set<String>> early = new ConcurrentHashMap<>();
    private final LongAdder mergedBlocks = new LongAdder();
    /** When each frontier block was first heard of (nanoTime; at open for a resumed walk): the sync lag. */
    private final Map<Cid, Long> heardAt = new ConcurrentHashMap<>();
    /** Processed blocks in the store: the durable {@code m/blocks} counter, written with the blocks it counts. */
    private volatile long blocksHeld;
    private volatile boolean closed;

    /**
     * Loads the frontier and the T/ index from the store (after any repair).
     *
     * @param listeners the live change-listener list the merge calls
     * @param tag       this replica's name in {@link Trace} events
     */
    GroupCommit(KvStore store, Keys keys, HeadTracker heads, Rejections rejections, List<ChangeListener> listeners, String tag) {
        this.store = store;
        this.keys = keys;
        this.heads = heads;
        this.rejections = rejections;
        this.tag = tag;
        this.values = new ValueCache(keys.v, VALUE_CACHE_ENTRIES);
        this.merge = new DeltaMerge(keys, listeners, this::earlyKeys, this::mayStillArrive,
                id -> ElementId.block(id).map(this::hasBlock).orElse(false));
        this.coverage = new Coverage(store, keys);
        StoredState.loadFrontier(store, keys, frontier);
        StoredState.loadEarly(store, keys, early);
        long now = System.nanoTime();
        for (Cid c : frontier.keySet()) heardAt.put(c, now);
        this.blocksHeld = StoredState.loadBlockCount(store, keys);
    }

    void lock() {
        writeLock.lock();
    }

    Coverage coverage() {
        return coverage;
    }

    DeltaMerge merge() {
        return merge;
    }

    KvStore store() {
        return store;
    }

    void onCoverageRaised(Runnable r) {
        onCoverageRaised = r;
    }

    void compactedHere(java.util.function.Predicate<Cid> p) {
        compactedHere = p;
    }

    void unlock() {
        writeLock.unlock();
    }

    /**
     * Lets the threads waiting for the write lock take it first: returns once none waits or after
     * {@code maxNanos}. For background work between two of its stages; the caller must not hold the lock.
     */
    void yieldToWaiting(long maxNanos) {
        long deadline = System.nanoTime() + maxNanos;
        while (writeLock.hasQueuedThreads() && System.nanoTime() - deadline < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000); // the waiters run meanwhile
        }
    }

    boolean heldByCurrentThread() {
        return writeLock.isHeldByCurrentThread();
    }

    boolean isClosed() {
        return closed;
    }

    /** No more commits: {@link #commitQuietly} and the frontier writes become no-ops. */
    void close() {
        closed = true;
    }

    /** The open stage, opened if none. Caller holds the lock. */
    Stage stage() {
        if (stage == null) stage = new Stage(store, values, lastStageWrites, heads);
        return stage;
    }

    /** Drops the open stage unwritten (a local generation that failed half-way: all or nothing). Caller holds the lock. */
    void dropStage() {
        stage = null;
    }

    /**
     * Deletes the dirty flag ({@code m/dirty}, written at open), under the lock: the last write of
     * a clean close. A failure is logged (the next open then runs the repair pass).
     */
    void clearDirtyFlag() {
        writeLock.lock();
        try {
            store.delete(keys.dirty);
        } catch (RuntimeException e) {
            log.debug("could not clear the dirty flag: {}", e.toString());
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Writes the open stage as one store batch, publishes its mirrors, then runs the views' after-commit
     * tasks ({@link ViewRows#afterCommit}). Caller holds the lock. If the write fails, the stage is
     * dropped (nothing published, no task run) and the error thrown: its walks resume from the durable
     * frontier.
     */
    void commit() {
        Stage s = stage;
        stage = null;
        if (s == null) return;
        lastStageWrites = s.txn.size();
        int added = s.processed.size() - s.reaped.size();
        if (added != 0) s.txn.put(keys.blockCount, Keys.longBytes(blocksHeld + added)); // counted in the same write
        // blocks the stage adds to the frontier are pending for lock-free readers before the blocks linking to them
        // are visible in the store (isPendingCommitted), and until the mirror has them
        s.frontier.forEach((c, rec) -> {
            if (rec != Stage.REMOVED) entering.add(c);
        });
        try {
            s.txn.commit();
            if (added != 0) blocksHeld += added;
            publish(s);
        } finally {
            entering.clear();
        }
        s.txn.runAfterCommit(); // views publish their in-memory state once their rows are durable and visible
        if (coverage.publish(s)) onCoverageRaised.run();
    }

    /** Publishes the in-memory mirrors of a stage whose batch is durable. */
    private void publish(Stage s) {
        if (Trace.ON) for (Cid c : s.processed) Trace.event("commit", tag, c);
        s.txn.publishTo(values);
        heads.publish(s.heads);
        s.frontier.forEach((c, rec) -> {
            if (rec == Stage.REMOVED) {
                frontier.remove(c);
                heardAt.remove(c);
            } else {
                frontier.put(c, rec);
                heardAt.putIfAbsent(c, System.nanoTime());
            }
        });
        s.early.forEach((id, ks) -> {
            if (ks.isEmpty()) early.remove(id);
            else early.put(id, ks);
        });
        if (processedCache.size() + s.processed.size() > PROCESSED_CACHE) processedCache.clear();
        processedCache.addAll(s.processed);
        if (recentLinks.size() + s.links.size() > RECENT_LINKS) recentLinks.clear();
        recentLinks.putAll(s.links);
        for (Cid c : s.reaped) { // processed is forever, unless a checkpoint covers the block and it is deleted
            processedCache.remove(c);
            recentLinks.remove(c);
        }
        mergedBlocks.add(s.merged);
    }

    /** Processed blocks held in the store (exact: counted in the writes that store them). */
    long blocksHeld() {
        return blocksHeld;
    }

    /** Whether a block heard of (announced, or linked by a merged block) waits to be merged: remote work is behind. */
    boolean remoteBehind() {
        return !heardAt.isEmpty();
    }

    /** The age of the oldest block heard of (announced, or linked by a merged block) and not merged yet; 0 if none. */
    long syncLagNanos() {
        long now = System.nanoTime(), oldest = now;
        for (long t : heardAt.values()) if (t - oldest < 0) oldest = t;
        return now - oldest;
    }

    /** Commits the open stage, taking the lock: durable and published on return; a failure is logged, not thrown. */
    void commitQuietly() {
        writeLock.lock();
        try {
            if (closed) return;
            commit();
        } catch (RuntimeException e) {
            if (!closed) log.error("commit of merged blocks failed (their walks resume from the durable frontier at the next rebroadcast)", e);
        } finally {
            writeLock.unlock();
        }
    }

    /** Commits the open stage if it reached the group-commit bounds. Caller holds the lock. */
    void commitIfFull() {
        Stage s = stage;
        if (s != null && (s.blocks >= GROUP_COMMIT_BLOCKS || s.txn.bytes() > GROUP_COMMIT_BYTES)) commit();
    }

    /** Whether everything applied is committed and published (no open stage), or closed. */
    boolean allPublished() {
        writeLock.lock();
        try {
            return closed || stage == null;
        } finally {
            writeLock.unlock();
        }
    }

    /** Adds the heads of the open stage (applied, not yet committed) to {@code into}. */
    void addStagedHeads(Set<Cid> into) {
        writeLock.lock();
        try {
            Stage s = stage;
            if (s != null) for (Map<Cid, Long> m : s.heads.values()) into.addAll(m.keySet());
        } finally {
            writeLock.unlock();
        }
    }

    /** The frontier record of {@code c} as the store will hold it after the open stage, or null. */
    byte[] pendingRecord(Cid c) {
        writeLock.lock();
        try {
            Stage s = stage;
            if (s != null) {
                byte[] r = s.frontier.get(c);
                if (r != null) return r == Stage.REMOVED ? null : r;
            }
            return frontier.get(c);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Whether {@code c} is in the committed walk frontier, without the lock (a sync server asks for every missing
     * block of an answer and must not wait for merges). Never false for a block that a committed block links to and
     * that is not committed itself: a commit marks the links it adds as entering before its store write, and
     * removes a block from the frontier only after the block is in the store.
     */
    boolean isPendingCommitted(Cid c) {
        return entering.contains(c) || frontier.containsKey(c);
    }

    /** Whether {@code c} is processed (staged or committed). A block in the frontier is not processed. */
    boolean isProcessed(Cid c) {
        writeLock.lock();
        try {
            Stage s = stage;
            if (s != null && s.reaped.contains(c)) return false;
            if (s != null && s.processed.contains(c)) return true;
            if (processedCache.contains(c)) return true;
            if (pendingRecord(c) != null) return false;
            return store.get(keys.processed(c)).isPresent();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * {@link #hasBlock} or {@link #isProcessed}: the lock is taken only for a block the store does not hold, so the
     * announcement and push paths, which ask this for every block they hear of and every link, do not queue behind
     * merges and reaps for blocks they already have. A committed block that the open stage is reaping counts as held.
     */
    boolean heldOrProcessed(Cid c) {
        return hasBlock(c) || isProcessed(c);
    }

    /** Committed, as the store holds it: the processed cache, else a store lookup that copies nothing. Lock-free. */
    boolean hasBlock(Cid c) {
        return processedCache.contains(c) || store.contains(keys.processed(c));
    }

    /** The links of a recently committed block, or null. Lock-free. */
    List<Cid> recentLinks(Cid c) {
        return recentLinks.get(c);
    }

    /** The CIDs of the committed walk frontier (a copy). */
    List<Cid> frontierCids() {
        return new ArrayList<>(frontier.keySet());
    }

    int frontierSize() {
        return frontier.size();
    }

    long mergedBlocks() {
        return mergedBlocks.sum();
    }

    /**
     * Records a heard head in the durable walk frontier (store and mirror, written at once under the
     * lock, outside any stage) so a crash before it is merged resumes its walk. False, and nothing
     * written, when closed or the block is already processed.
     */
    boolean addToFrontier(Cid c) {
        writeLock.lock();
        try {
            if (closed || isProcessed(c)) return false;
            if (pendingRecord(c) == null) {
                byte[] rec = {0};
                store.put(keys.pending(c), rec);
                frontier.put(c, rec);
                heardAt.putIfAbsent(c, System.nanoTime());
            }
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /** Removes a rejected block from the frontier, in the open stage (its walk ends there). */
    void dropFromFrontier(Cid c) {
        writeLock.lock();
        try {
            if (!closed && pendingRecord(c) != null) {
                Stage s = stage();
                s.txn.delete(keys.pending(c));
                s.frontier.put(c, Stage.REMOVED);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Applies a verified block into the open stage (see the class comment). Caller holds the lock.
     * Returns the block's links that are neither processed nor rejected (the walk goes on below them).
     * A merge that throws leaves the stage as it was (its writes are rolled back).
     */
    List<Cid> apply(Block block, byte[] bytes, boolean remote) {
        Cid cid = block.cid();
        if (isProcessed(cid)) return List.of();
        Stage s = stage();
        Delta d = block.delta();
        String dag = d.dagName();
        byte[] pendingRec = pendingRecord(cid);
        boolean linkedTo = pendingRec != null && pendingRec.length > 0 && pendingRec[0] == 1;
        List<Cid> children = new ArrayList<>();
        for (Cid l : block.links()) {
            if (!isProcessed(l) && !rejections.contains(l) && !compactedHere.test(l)) children.add(l);
        }
        Txn txn = s.txn;
        String id = ElementId.of(cid); // go-ds-crdt's form: a tombstone by either implementation names the same id
        List<String[]> earlyAdded = new ArrayList<>(0);
        byte[] lineage = Coverage.lineageOf(d);
        if (lineage != null && Long.compareUnsigned(d.priority(), coverage.coveredBelow(s, lineage)) < 0) {
            // its author's checkpoint covers it (it arrived late): the checkpoint restates what of it is live.
            // Not merged, not kept, not a head; its links are walked all the same (other authors' blocks), and
            // one that no held block links to becomes a head when merged, so that the DAG still leads to it
            List<Cid> unwanted = new ArrayList<>(); // not wanted yet (by an announcement or a held block)
            for (Cid l : children) if (pendingRecord(l) == null) unwanted.add(l);
            addToFrontier(s, dag, unwanted, false);
            dropPending(s, cid, pendingRec);
            for (String k : earlyKeys(id)) txn.delete(keys.early(id, k)); // early tombstones of its elements: moot
            if (!earlyKeys(id).isEmpty()) s.early.put(id, Set.of());
            s.blocks++;
            return children;
        }
        long raised = 0;
        txn.mark();
        try {
            merge.merge(txn, id, d, remote, earlyAdded);
            if (lineage != null) raised = coverage.onApplied(s, lineage, cid, d);
        } catch (RuntimeException e) {
            txn.rollback();
            throw e;
        }
        txn.unmark();
        if (raised != 0) Coverage.raise(s, lineage, raised);
        // no store reads below: nothing can fail half-way
        for (String[] ik : earlyAdded) { // the stage's set, or a copy of the committed one (an empty set marks "removed")
            s.early.compute(ik[0], (x, cur) -> {
                Set<String> next = new HashSet<>(cur != null ? cur : early.getOrDefault(x, Set.of()));
                next.add(ik[1]);
                return next;
            });
        }
        Set<String> earlyMine = earlyKeys(id);
        if (!earlyMine.isEmpty()) { // this block's elements were handled by DeltaMerge: the index entries are done
            for (String k : earlyMine) txn.delete(keys.early(id, k));
            s.early.put(id, Set.of());
        }
        txn.put(keys.processed(cid), Keys.prioValue(d.priority(), bytes)); // marker and block in one key
        Map<Cid, Long> dagHeads = s.heads(dag);
        for (Cid l : block.links()) {
            if (dagHeads.remove(l) != null) {
                if (s.createdHeads.remove(l)) txn.forget(keys.head(dag, l));
                else txn.delete(keys.head(dag, l));
            }
        }
        addToFrontier(s, dag, children, true);
        if (!linkedTo) {
            txn.put(keys.head(dag, cid), Keys.longBytes(d.priority()));
            dagHeads.put(cid, d.priority());
            s.createdHeads.add(cid);
        }
        dropPending(s, cid, pendingRec);
        s.processed.add(cid);
        s.links.put(cid, List.copyOf(block.links()));
        s.blocks++;
        if (remote) s.merged++;
        return children;
    }

    /**
     * Puts a block's unprocessed links into the walk frontier; {@code linked}: marked "linked to" (a held block
     * links to them: they will not become heads).
     */
    private void addToFrontier(Stage s, String dag, List<Cid> children, boolean linked) {
        if (children.isEmpty()) return;
        byte[] dagBytes = Keys.bytes(dag);
        byte[] rec = new byte[1 + dagBytes.length];
        rec[0] = (byte) (linked ? 1 : 0);
        System.arraycopy(dagBytes, 0, rec, 1, dagBytes.length);
        for (Cid l : children) {
            if (frontier.get(l) == null) s.createdPending.add(l);
            s.txn.put(keys.pending(l), rec);
            s.frontier.put(l, rec);
        }
    }

    /** Removes an applied block from the walk frontier (it had record {@code pendingRec}, or none). */
    private void dropPending(Stage s, Cid cid, byte[] pendingRec) {
        if (pendingRec == null) return;
        if (s.createdPending.remove(cid)) s.txn.forget(keys.pending(cid));
        else s.txn.delete(keys.pending(cid));
        s.frontier.put(cid, Stage.REMOVED);
    }

    /** Keys whose element {@code id} was tombstoned before block {@code id} was processed (the T/ index, staged view). */
    private Set<String> earlyKeys(String id) {
        Stage s = stage;
        if (s != null) {
            Set<String> x = s.early.get(id);
            if (x != null) return x;
        }
        return early.getOrDefault(id, Set.of());
    }

    /** Whether a block with this id ({@link ElementId}) may still be merged: it names a block, not processed. */
    private boolean mayStillArrive(String id) {
        // no block has this id, or this replica compacted it away lately: the tombstone alone says it all
        return ElementId.block(id).map(c -> !isProcessed(c) && !compactedHere.test(c)).orElse(false);
    }
}
