package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verify stage: fetched (and pushed) blocks are hashed, decoded and shape-checked on the
 * arriving thread, their signatures checked in parallel on the verify pool, and applied ONE at a
 * time, in arrival order, into {@link GroupCommit}.
 *
 * <h2>Why a stage</h2>
 * A signature check (Ed25519) costs more than the apply of a small delta; checking on the single
 * applying thread would make it the walk's bottleneck. The links of a block are handed to the walk
 * as soon as it enters the stage (before it is applied), so the walk keeps fetching below it while
 * signatures are checked; at most {@link #VERIFY_AHEAD} blocks wait here (the walk starts no new
 * fetch beyond that). Blocks leave in arrival order: a block arrives after the block linking to it,
 * so the apply order is the one of a sequential top-down walk (go-ds-crdt's order), and the heads
 * and frontier move exactly as they would there.
 *
 * <h2>Wanted blocks only</h2>
 * A block is taken only if the walk wants it: in the durable frontier, or linked from a block in
 * the stage ({@code stageLinks}, counted). Anything else is unsolicited and ignored. When its turn
 * comes, a block whose parent was rejected meanwhile is no longer in the frontier and is dropped.
 * Unsigned blocks (or no verifier) with nothing ahead of them are applied directly on the arriving
 * thread: the deterministic, synchronous path of the simulation tests.
 *
 * <h2>Rejection</h2>
 * A block found wrong while decoding is rejected by {@link #onBlock} with a thrown
 * {@link RejectedBlockException}; one whose signature fails on the pool is rejected at its turn in
 * the drain and reported to the callback only (the sink has returned).
 *
 * <p>Concurrency: {@link #onBlock} runs on fetch-completion threads (concurrently), {@link #drain}
 * is a trampoline (one drainer at a time, {@code drainWip}) run by whichever thread finishes a check
 * or adds a block. {@code ready} is guarded by itself; {@code inStage} and {@code stageLinks} are
 * concurrent and written before a block is queued and after it is applied (in that order: see
 * {@link #onBlock}). The apply takes {@link GroupCommit}'s write lock.
 */
final class VerifyStage {
    private static final Logger log = LoggerFactory.getLogger(VerifyStage.class);
    /** Blocks decoded and waiting (for their check, or an earlier block's) at most before the walk pauses. */
    static final int VERIFY_AHEAD = 512;

    private final GroupCommit commit;
    private final Rejections rejections;
    private final BlockChecks checks;
    private final String tag;
    /** Called after a drain applied something (the walk: fetch on, commit, tell idle waiters). */
    private final Runnable afterDrain;
    /** Queues links a pushed block left unprocessed when applied (no fetch will). */
    private final Consumer<List<Cid>> relink;
    /** Signature checks (null: no verifier, nothing to verify). */
    private final ExecutorService verifyPool;
    /** Decoded blocks in arrival order; guarded by itself. */
    private final ArrayDeque<Ready> ready = new ArrayDeque<>();
    /** CIDs in the stage (accepted, not yet applied or dropped). */
    private final Set<Cid> inStage = ConcurrentHashMap.newKeySet();
    /** Links of the blocks in the stage → count: wanted though not yet in the frontier (their parent is not applied yet). */
    private final Map<Cid, Integer> stageLinks = new ConcurrentHashMap<>();
    private final AtomicInteger drainWip = new AtomicInteger();

    /**
     * @param verifier   null: no signature is checked here (and no pool is started)
     * @param afterDrain run after a drain that applied or dropped something
     * @param relink     queues the unprocessed links of an applied pushed block
     */
    VerifyStage(GroupCommit commit, Rejections rejections, BlockChecks checks, DeltaVerifier verifier, String tag,
                Runnable afterDrain, Consumer<List<Cid>> relink) {
        this.commit = commit;
        this.rejections = rejections;
        this.checks = checks;
        this.tag = tag;
        this.afterDrain = afterDrain;
        this.relink = relink;
        if (verifier != null) {
            int n = Math.max(1, Runtime.getRuntime().availableProcessors());
            AtomicInteger no = new AtomicInteger();
            this.verifyPool = Executors.newFixedThreadPool(n, r -> {
                Thread t = new Thread(r, "warpstats-crdt-verify-" + no.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        } else {
            this.verifyPool = null;
        }
    }

    /** Whether {@code c} is in the stage (accepted, not yet applied or dropped). */
    boolean contains(Cid c) {
        return inStage.contains(c);
    }

    boolean isEmpty() {
        return inStage.isEmpty();
    }

    int size() {
        return inStage.size();
    }

    /** Whether a block in the stage links to {@code c} (the walk wants it though it is not in the frontier yet). */
    boolean linksTo(Cid c) {
        return stageLinks.containsKey(c);
    }

    void close() {
        if (verifyPool != null) verifyPool.shutdownNow();
    }

    /**
     * Takes one block from a fetch ({@code pushed} false) or an announcement: see the class comment.
     * Adds to {@code discovered} the links the walk should follow (all links of a staged block; the
     * unprocessed ones of a directly applied block).
     *
     * @throws RejectedBlockException if the block is malformed or (checked here) unauthorized
     */
    void onBlock(byte[] bytes, List<Cid> discovered, boolean pushed) {
        if (commit.isClosed()) return;
        Cid cid = Cid.ofDagPb(bytes);
        if (inStage.contains(cid) || commit.isProcessed(cid)) return;
        // unsolicited (not ours to judge): ignore. Order matters: the stage's link count first, then the frontier.
        // The drain applies a parent (its links enter the frontier) before it drops the parent's link counts, so a
        // link count seen absent means the frontier read after it is current; read in the other order, a parent
        // drained in between made a wanted block look unsolicited and stalled its walk until the next rebroadcast
        if (!stageLinks.containsKey(cid) && commit.pendingRecord(cid) == null) return;
        Block block;
        try {
            block = Block.decodeHashed(cid, bytes);
            checks.checkShape(block);
        } catch (IllegalArgumentException e) {
            reject(cid, RejectedBlockException.Reason.ofShapeCheck(e.getMessage()), e.getMessage());
            return; // unreachable: reject throws
        }
        boolean parallel = verifyPool != null && block.delta().isSigned();
        if (!parallel) {
            try {
                checks.checkAuthor(block);
            } catch (IllegalArgumentException e) {
                reject(cid, RejectedBlockException.Reason.ofAuthorCheck(e.getMessage()), e.getMessage());
                return;
            }
            boolean direct;
            synchronized (ready) {
                direct = ready.isEmpty() && inStage.isEmpty();
            }
            if (direct) { // nothing ahead of it: apply here (the deterministic, synchronous path)
                commit.lock();
                try {
                    if (commit.isClosed() || commit.pendingRecord(cid) == null) return;
                    discovered.addAll(commit.apply(block, bytes, true));
                    Trace.event("apply", tag, cid);
                    commit.commitIfFull();
                } finally {
                    commit.unlock();
                }
                return;
            }
        }
        Ready r = new Ready(block, bytes, parallel ? Ready.VERIFYING : Ready.OK, pushed);
        inStage.add(cid);
        for (Cid l : block.links()) stageLinks.merge(l, 1, Integer::sum);
        synchronized (ready) {
            ready.add(r);
        }
        discovered.addAll(block.links()); // the walk goes on below it now (processed ones are filtered there)
        if (parallel) {
            try {
                verifyPool.execute(() -> {
                    try {
                        checks.checkAuthor(block);
                        r.state = Ready.OK;
                    } catch (RuntimeException e) {
                        r.error = String.valueOf(e.getMessage());
                        r.state = Ready.BAD;
                    }
                    drain();
                });
            } catch (RuntimeException e) { // closing
                r.error = "closed";
                r.state = Ready.BAD;
            }
        }
        drain();
    }

    /** A decoded block in the stage; its state is written by the checking thread, read by the drain. */
    private static final class Ready {
        static final int VERIFYING = 0, OK = 1, BAD = 2;
        final Block block;
        final byte[] bytes;
        final boolean pushed;
        volatile int state;
        volatile String error;

        Ready(Block block, byte[] bytes, int state, boolean pushed) {
            this.block = block;
            this.bytes = bytes;
            this.state = state;
            this.pushed = pushed;
        }
    }

    /** Applies the checked blocks at the front of the stage, in order (one drainer at a time). */
    void drain() {
        if (drainWip.getAndIncrement() != 0) return;
        int missed = 1;
        boolean any = false;
        while (true) {
            while (true) {
                Ready r;
                synchronized (ready) {
                    r = ready.peek();
                    if (r == null || r.state == Ready.VERIFYING) break;
                    ready.poll();
                }
                any = true;
                try {
                    applyReady(r);
                } catch (RuntimeException e) {
                    if (!commit.isClosed()) log.error("apply of {} failed (its walk resumes at the next announcement)", r.block.cid(), e);
                } finally {
                    inStage.remove(r.block.cid());
                    for (Cid l : r.block.links()) stageLinks.computeIfPresent(l, (k, n) -> n == 1 ? null : n - 1);
                }
            }
            missed = drainWip.addAndGet(-missed);
            if (missed == 0) break;
        }
        if (any) afterDrain.run(); // below the bound again, maybe done: fetch on, commit, tell idle waiters
    }

    private void applyReady(Ready r) {
        Cid cid = r.block.cid();
        if (commit.isClosed()) return;
        if (r.state == Ready.BAD) {
            try {
                reject(cid, RejectedBlockException.Reason.ofAuthorCheck(r.error), r.error);
            } catch (RejectedBlockException e) {
                // reported to onRejected; nobody to throw to
            }
            return;
        }
        List<Cid> children;
        commit.lock();
        try {
            if (commit.isClosed()) return;
            // a block whose parent was rejected (or that is already done) is no longer wanted
            if (commit.isProcessed(cid) || commit.pendingRecord(cid) == null) return;
            children = commit.apply(r.block, r.bytes, true); // a fetched block's links went to its walk when it entered the stage
            Trace.event("apply", tag, cid);
            commit.commitIfFull();
        } finally {
            commit.unlock();
        }
        // a pushed block has no walk: links it left unprocessed (one dropped from the stage ahead of it) are queued now,
        // not at the next rebroadcast
        if (r.pushed) relink.accept(children);
    }

    /** Remembers, unfrontiers, reports and throws a rejection. */
    private void reject(Cid cid, RejectedBlockException.Reason reason, String detail) {
        RejectedBlockException e = rejections.remember(cid, reason, detail);
        commit.dropFromFrontier(cid);
        rejections.report(e);
        throw e;
    }
}
