package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.DagPb;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The walks: from announced heads down to the blocks this replica already has, through the
 * {@link BlockFetcher}, into the {@link VerifyStage}.
 *
 * <h2>Frontier, queue, fetches</h2>
 * A heard head first enters the durable walk frontier ({@link GroupCommit#addToFrontier}: a crash
 * resumes its walk), then the queue. {@link #pump} starts fetches while fewer than
 * {@code maxConcurrentFetches} run and fewer than {@link VerifyStage#VERIFY_AHEAD} blocks wait in the
 * verify stage; one fetch asks for up to {@link #MAX_HEADS_PER_FETCH} queued heads at once (a backlog
 * costs one request, one deadline). A fetch stops at the {@link #fetchFrontier}: the committed and
 * staged heads and the heads of running fetches (their branches come with them), so concurrent
 * fetches of overlapping branches do not download each other's blocks again — the walk is
 * go-ds-crdt's top-down DAG walk (arXiv 2004.00107) run as parallel branch fetches.
 * Blocks a fetch delivers reveal their links, which are queued when the fetch ends (or at once, for
 * a block that arrived after its fetch's deadline). A head a fetch did not deliver is retried at the
 * next rebroadcast; the durable frontier is re-queued then too (a fetch that timed out while its
 * blocks kept arriving).
 *
 * <h2>Every fetch ends</h2>
 * A fetch's {@code fetchTimeout} is enforced here, on the scheduler: a fetcher whose future never
 * completes does not hold a slot forever. One periodic sweep ({@link #sweepPeriodNanos}: an eighth of the
 * timeout, between 10 ms and 1 s) ends the running fetches past their deadline, so a deadline fires up to
 * one period late. Not a timer per fetch: a cancelled timer stayed in the scheduler's queue, with what its
 * fetch found, until it came due (2 minutes by default), and removing it at cancel instead woke the
 * scheduler thread once per fetch (its earliest timer changed), which lowered the merge rate
 * (docs/benchmarks.md, "Figures behind design choices"). A finished fetch commits the open stage at once (group
 * commit spans one fetch, not the whole backlog: the heads, the next fetches' frontier, stay fresh).
 *
 * <h2>Eager push</h2>
 * An announcement may carry the bytes of small fresh blocks: one whose links are all processed (or
 * in the verify stage, ahead of it) is merged at once, without a fetch; a pushed chain merges oldest
 * first. Anything else is fetched as usual.
 *
 * <h2>Idle</h2>
 * {@link #whenIdle}: nothing queued, no fetch running, nothing in the verify stage, nothing staged
 * and unpublished — read in that order, see {@link #isIdle}.
 *
 * <p>Concurrency: {@link #pump} is a trampoline ({@code wip}): any thread may call it, one runs it,
 * inline fetch completions (the deterministic simulation) never recurse. Fetch completions and
 * sinks run on any thread. {@code queue} is guarded by itself; {@code fetching} is a synchronized
 * set; {@code inFlight}, {@code retry} are concurrent sets; {@code running} counts started fetches
 * not yet finished and drops only after their links are queued.
 */
final class WalkScheduler {
    private static final Logger log = LoggerFactory.getLogger(WalkScheduler.class);
    /** Running fetches' heads passed in a new fetch's frontier at most. */
    static final int MAX_FETCHING_IN_FRONTIER = 256;
    /** Queued heads asked in one fetch at most. */
    static final int MAX_HEADS_PER_FETCH = 64;

    private final MerkleCrdtOptions options;
    private final BlockFetcher fetcher;
    private final GroupCommit commit;
    private final HeadTracker heads;
    private final Rejections rejections;
    private final VerifyStage verify;
    private final IdleTracker idle = new IdleTracker();
    private final BooleanSupplier idleTest = this::isIdle;
    private final String tag;
    /** Heads queued or being fetched. */
    private final Set<Cid> inFlight = ConcurrentHashMap.newKeySet();
    /** Heads whose branch fetch is running (a subset of inFlight), in start order. */
    private final Set<Cid> fetching = Collections.synchronizedSet(new LinkedHashSet<>());
    private final ArrayDeque<Cid> queue = new ArrayDeque<>();
    /** Heads a fetch did not deliver: queued again at the next rebroadcast. */
    private final Set<Cid> retry = ConcurrentHashMap.newKeySet();
    /** Bound of {@link #heardOnly}. */
    static final int MAX_HEARD_ONLY = 65_536;
    /** Frontier blocks known only from announcements, no block linking to them seen: dropped when no peer holds them. */
    private final Set<Cid> heardOnly = ConcurrentHashMap.newKeySet();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger wip = new AtomicInteger();
    private final LongAdder fetchFailures = new LongAdder();
    private final LongAdder fetchTimeouts = new LongAdder();
    private final LongAdder prunedLinks = new LongAdder();
    /** Deadlines of the running fetches (at most {@code maxConcurrentFetches}); the sweep ends those past theirs. */
    private final Set<Deadline> deadlines = ConcurrentHashMap.newKeySet();

    /** A running fetch's deadline ({@link System#nanoTime()}) and what ends the fetch then. Identity equality. */
    private static final class Deadline {
        final long atNanos;
        final Runnable expire;

        Deadline(long atNanos, Runnable expire) {
            this.atNanos = atNanos;
            this.expire = expire;
        }
    }

    /**
     * @param scheduler runs the sweep that enforces fetch deadlines
     * @param verifier  the verify stage's signature checks (null: none)
     */
    WalkScheduler(MerkleCrdtOptions options, BlockFetcher fetcher, ScheduledExecutorService scheduler, GroupCommit commit,
                  HeadTracker heads, Rejections rejections, BlockChecks checks, DeltaVerifier verifier, String tag) {
        this.options = options;
        this.fetcher = fetcher;
        this.commit = commit;
        this.heads = heads;
        this.rejections = rejections;
        this.tag = tag;
        this.verify = new VerifyStage(commit, rejections, checks, verifier, tag, this::pump, this::queueDiscovered);
        long period = sweepPeriodNanos(options.fetchTimeout().toNanos());
        try {
            scheduler.scheduleWithFixedDelay(this::sweepDeadlines, period, period, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // a scheduler already shut down: no fetch will run either
        }
    }

    /** How often the running fetches' deadlines are checked: an eighth of {@code timeoutNanos}, within 10 ms … 1 s. */
    static long sweepPeriodNanos(long timeoutNanos) {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), timeoutNanos / 8));
    }

    /** Ends every running fetch past its deadline (on the scheduler). */
    private void sweepDeadlines() {
        if (deadlines.isEmpty()) return;
        long now = System.nanoTime();
        for (Deadline d : deadlines) {
            if (now - d.atNanos >= 0 && deadlines.remove(d)) {
                try {
                    d.expire.run();
                } catch (RuntimeException e) {
                    log.warn("ending a fetch at its deadline failed: {}", e.toString());
                }
            }
        }
    }

    VerifyStage verifyStage() {
        return verify;
    }

    /** Puts every frontier block back into the queue and starts fetching (an interrupted walk resumes, at open). */
    void resume() {
        for (Cid c : commit.frontierCids()) enqueue(c);
        pump();
    }

    /** An announcement: merges the pushed blocks it can, walks towards the other heads. */
    void onBroadcast(CrdtBroadcast msg) {
        boolean merged = false;
        Set<Cid> done = Set.of();
        if (!msg.blocks().isEmpty()) {
            // a pushed chain (older local blocks the head links to) merges oldest first: repeat
            // while some block had all its links processed
            Map<Cid, byte[]> pushed = new LinkedHashMap<>();
            for (byte[] b : msg.blocks()) pushed.put(Cid.ofDagPb(b), b);
            done = new HashSet<>();
            boolean progress = true;
            while (progress && done.size() < pushed.size()) {
                progress = false;
                for (Map.Entry<Cid, byte[]> e : pushed.entrySet()) {
                    if (done.contains(e.getKey())) continue;
                    if (mergePushed(e.getKey(), e.getValue())) {
                        done.add(e.getKey());
                        progress = true;
                        merged = true;
                    }
                }
            }
        }
        for (CrdtBroadcast.Announced h : msg.heads()) if (!done.contains(h.cid())) announce(h.cid());
        if (merged) commit.commitQuietly(); // durable and visible now: the next fetches' frontier
        pump();
    }

    /** A head heard outside a broadcast message. */
    void onHead(Cid head) {
        announce(head);
        pump();
    }

    /**
     * Merges a pushed block at once if every block it links to is processed or in the verify stage;
     * else false, and it is fetched as usual (its branch is needed anyway). The bytes were hashed to
     * {@code c} by the caller.
     */
    private boolean mergePushed(Cid c, byte[] bytes) {
        if (commit.isClosed() || c.codec() != Cid.DAG_PB || rejections.contains(c)) return false;
        if (commit.heldOrProcessed(c) || verify.contains(c)) return true;
        if (inFlight.contains(c)) return false;
        try {
            for (DagPb.Link l : DagPb.decode(bytes).links()) {
                if (!commit.heldOrProcessed(l.hash()) && !verify.contains(l.hash())) return false; // in the verify stage: applied before it
            }
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!commit.addToFrontier(c)) return true;
        Trace.event("pushed", tag, c);
        List<Cid> found = new ArrayList<>();
        try {
            verify.onBlock(bytes, found, true);
        } catch (RejectedBlockException e) {
            return true; // rejected and remembered: not fetched again
        }
        queueDiscovered(found); // applied here: links not processed after all (a link dropped from the verify stage)
        return commit.isProcessed(c) || verify.contains(c); // a signed block may still be in the verify stage
    }

    private void announce(Cid c) {
        if (commit.isClosed() || c.codec() != Cid.DAG_PB || rejections.contains(c)) return;
        Trace.event("heard", tag, c);
        if (inFlight.contains(c) || commit.heldOrProcessed(c)) return;
        if (inFlight.size() >= options.maxPendingBlocks()) return; // it will be announced again
        if (commit.addToFrontier(c)) {
            if (heardOnly.size() < MAX_HEARD_ONLY) heardOnly.add(c); // beyond: retried as any head
            enqueue(c);
        }
    }

    private void enqueue(Cid c) {
        if (!inFlight.add(c)) return;
        retry.remove(c);
        synchronized (queue) {
            queue.add(c);
        }
    }

    /**
     * What a new branch fetch may stop at: the committed heads, the open stage's (merged, not yet
     * committed), and the heads of fetches already running (a block reached only through them is
     * discovered and fetched when they end).
     */
    Set<Cid> fetchFrontier() {
        Set<Cid> all = new HashSet<>(heads.snapshot());
        commit.addStagedHeads(all);
        synchronized (fetching) {
            int n = 0;
            for (Cid r : fetching) {
                if (n++ >= MAX_FETCHING_IN_FRONTIER) break;
                all.add(r);
            }
        }
        return all;
    }

    /** Starts queued fetches up to the limits, commits when the walk waits, checks idleness; a trampoline. */
    void pump() {
        if (wip.getAndIncrement() != 0) return;
        int missed = 1;
        while (true) {
            while (!commit.isClosed() && running.get() < options.maxConcurrentFetches() && verify.size() < VerifyStage.VERIFY_AHEAD) {
                List<Cid> batch = new ArrayList<>();
                synchronized (queue) {
                    while (batch.size() < MAX_HEADS_PER_FETCH) {
                        Cid c = queue.poll();
                        if (c == null) break;
                        batch.add(c);
                    }
                }
                if (batch.isEmpty()) break;
                running.incrementAndGet();
                startFetch(batch);
            }
            boolean empty;
            synchronized (queue) {
                empty = queue.isEmpty();
            }
            if (empty && verify.isEmpty()) commit.commitQuietly(); // the walk waits (or is done): make what it merged durable and visible
            idle.check(idleTest);
            missed = wip.addAndGet(-missed);
            if (missed == 0) return;
        }
    }

    /** Starts one fetch for a batch of queued heads (one request for all). */
    private void startFetch(List<Cid> batch) {
        List<Cid> todo = new ArrayList<>(batch.size());
        for (Cid c : batch) if (!commit.isProcessed(c)) todo.add(c);
        if (todo.isEmpty()) {
            finishFetch(batch, List.of(), null);
            return;
        }
        List<Cid> discovered = Collections.synchronizedList(new ArrayList<>());
        if (Trace.ON) for (Cid c : todo) Trace.event("fetch-start", tag, c);
        Set<Cid> fetchFrontier = fetchFrontier();
        fetching.addAll(todo);
        AtomicBoolean finished = new AtomicBoolean();
        Consumer<byte[]> sink = bytes -> {
            List<Cid> found = new ArrayList<>();
            try {
                verify.onBlock(bytes, found, false);
            } finally {
                discovered.addAll(found);
                // a block that arrives after the fetch's deadline ended it (the fetcher goes on): its
                // links are queued here, not left for the next rebroadcast. Before the deadline,
                // finishFetch queues them; a block racing the deadline is queued by both (idempotent)
                if (finished.get()) queueDiscovered(found);
            }
        };
        // every fetch ends: a fetcher whose future never completes must not hold a slot forever
        Deadline deadline = new Deadline(System.nanoTime() + options.fetchTimeout().toNanos(), () -> {
            if (!finished.compareAndSet(false, true)) return;
            fetchTimeouts.increment();
            log.debug("fetch of {} timed out after {}", todo, options.fetchTimeout());
            finishFetch(batch, discovered, new TimeoutException("fetch of " + todo + " took longer than " + options.fetchTimeout()));
        });
        deadlines.add(deadline);
        CompletableFuture<Void> f;
        try {
            f = todo.size() == 1 ? fetcher.fetchBranch(todo.get(0), fetchFrontier, sink) : fetcher.fetchBranches(todo, fetchFrontier, sink);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, err) -> {
            deadlines.remove(deadline);
            if (!finished.compareAndSet(false, true)) return; // timed out before: blocks it merged stay merged
            finishFetch(batch, discovered, err);
        });
    }

    private void finishFetch(List<Cid> batch, List<Cid> discovered, Throwable err) {
        // `running` drops only after the children are queued: a concurrent pump must never see
        // an empty queue and no fetch running while this walk still has work (whenIdle would lie)
        try {
            finishFetch0(batch, discovered, err);
        } finally {
            running.decrementAndGet();
        }
        pump();
    }

    private void finishFetch0(List<Cid> batch, List<Cid> discovered, Throwable err) {
        // a finished branch is made durable and visible at once: deferring it kept the heads — the
        // next fetches' frontier — stale, so every fetch re-downloaded everything merged since
        commit.commitQuietly();
        for (Cid c : batch) {
            fetching.remove(c);
            inFlight.remove(c);
        }
        if (!commit.isClosed()) {
            List<Cid> next;
            synchronized (discovered) {
                next = new ArrayList<>(discovered);
            }
            next.forEach(heardOnly::remove); // linked from a block: needed whoever holds it
            Set<Cid> unavailable = err == null ? Set.of() : UnavailableBlocksException.of(err);
            for (Cid c : batch) { // the deadline covered the whole batch: every head not done is retried
                boolean done = rejections.contains(c) || verify.contains(c) || commit.isProcessed(c)
                        || commit.pendingRecord(c) == null; // let go (reported pruned)
                if (!done) {
                    fetchFailures.increment();
                    if (unavailable.contains(c) && heardOnly.remove(c)) { // announced, and no asked peer holds it
                        commit.dropFromFrontier(c);
                        log.debug("dropped {}: announced, and no peer holds it", c);
                        continue;
                    }
                    retry.add(c);
                    if (err != null) log.debug("fetch of {} failed: {}", c, err.toString());
                } else {
                    heardOnly.remove(c);
                }
            }
            for (Cid d : next) {
                if (!rejections.contains(d) && !commit.isProcessed(d)) enqueue(d);
            }
        }
    }

    /**
     * Queues links found outside a running fetch's bookkeeping (a block that arrived after its
     * fetch's deadline, a pushed block), skipping those done or in the verify stage, and pumps.
     */
    void queueDiscovered(List<Cid> found) {
        if (commit.isClosed() || found.isEmpty()) return;
        boolean any = false;
        found.forEach(heardOnly::remove);
        for (Cid d : found) {
            if (!rejections.contains(d) && !verify.contains(d) && !commit.isProcessed(d)
                    && (verify.linksTo(d) || commit.pendingRecord(d) != null)) {
                enqueue(d);
                any = true;
            }
        }
        if (any) pump();
    }

    /**
     * Queues again the heads a fetch did not deliver, and every block of the durable frontier no
     * fetch is working on (the frontier is the truth), then pumps. Called at each rebroadcast.
     */
    void requeue() {
        for (Cid c : new ArrayList<>(retry)) {
            retry.remove(c);
            if (!commit.isProcessed(c) && !rejections.contains(c) && commit.pendingRecord(c) != null) enqueue(c);
        }
        for (Cid c : commit.frontierCids()) {
            if (!inFlight.contains(c) && !rejections.contains(c) && !commit.isProcessed(c)) enqueue(c);
        }
        pump();
    }

    /**
     * A peer reports block {@code c} compacted away (docs/crdt.md, "Compaction"): a frontier block is let
     * go — dropped from the durable frontier, not retried. Its live content is restated by its author's
     * checkpoint, which is above it. A false report costs a delay, not the block: its author announces its
     * head again, and its next checkpoint restates it.
     */
    void pruned(Cid c) {
        byte[] rec = commit.pendingRecord(c);
        if (rec == null || commit.isProcessed(c) || verify.contains(c)) return;
        commit.dropFromFrontier(c);
        retry.remove(c);
        prunedLinks.increment();
        Trace.event("pruned", tag, c);
        commit.commitQuietly();
    }

    long prunedLinks() {
        return prunedLinks.sum();
    }

    /** A future completed when the walk is idle (see the class comment). */
    CompletableFuture<Void> whenIdle() {
        CompletableFuture<Void> f = idle.register();
        pump();
        return f;
    }

    /**
     * Whether the walk is idle: no fetch running, nothing queued, nothing in the verify stage, nothing
     * staged and unpublished (blocks are applied by several threads and committed later; without the
     * last condition whenIdle could complete before the last merge is durable). Order matters:
     * {@code running} first. A fetch queues its children and commits before it drops {@code running},
     * and only the pump owner starts fetches; so once {@code running} is seen 0, the queue and stage
     * read after it include every finished fetch's work. Reading the queue first let a fetch finishing
     * in between pass as idle.
     */
    boolean isIdle() {
        if (running.get() != 0) return false;
        boolean empty;
        synchronized (queue) {
            empty = queue.isEmpty();
        }
        return empty && verify.isEmpty() && commit.allPublished();
    }

    /** Blocks the walk still has to fetch or apply (an estimate for the metrics). */
    int pendingBlocks() {
        return Math.max(commit.frontierSize(), inFlight.size() + retry.size());
    }

    int runningFetches() {
        return running.get();
    }

    long fetchFailures() {
        return fetchFailures.sum();
    }

    long fetchTimeouts() {
        return fetchTimeouts.sum();
    }
}
