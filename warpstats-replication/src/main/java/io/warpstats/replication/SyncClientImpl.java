package io.warpstats.replication;

import io.warpstats.crdt.Block;
import io.warpstats.crdt.Head;
import io.warpstats.crdt.ReplicationPort;
import io.warpstats.crdt.RejectedBlockException;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.Connection;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.Stream;
import io.warpstats.replication.PeerPenalty.Offense;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The client side of the sync protocol (see {@link SyncClient}); one {@link FetchRun} per fetch. */
final class SyncClientImpl implements SyncClient {
    private static final Logger log = LoggerFactory.getLogger(SyncClientImpl.class);
    private static final int MAX_WAITERS_PER_PEER = 1024;
    /** Suppliers remembered: above the engine's verify stage bound (its blocks wait there at most). */
    static final int SUPPLIERS_REMEMBERED = 4096;

    final Host host;
    final SyncParams p;
    final SyncCodec.Limits limits;
    private final PeerPenalty penalty;
    final ScheduledThreadPoolExecutor worker;
    private volatile ReplicationPort crdt;
    private final Map<Cid, List<PeerId>> hints;
    /** Sync score per peer; at most {@link SyncParams#maxScoredPeers()} peers (a flood of peer ids is hostile input). */
    private final PeerScores scores;
    private final Map<PeerId, Slots> slots = new HashMap<>();
    final LongAdder requests = new LongAdder();
    final LongAdder blocks = new LongAdder();
    final LongAdder blockBytes = new LongAdder();
    final LongAdder wireBytes = new LongAdder();
    private final LongAdder penalties = new LongAdder();
    private final LongAdder failures = new LongAdder();
    /** Blocks handed to the engine → their sender, for rejections reported after the sink returned. */
    final BlockSuppliers suppliers = new BlockSuppliers(SUPPLIERS_REMEMBERED);
    volatile boolean closed;

    private static final class Slots {
        int used;
        final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>();
    }

    SyncClientImpl(Host host, SyncParams params, PeerPenalty penalty) {
        this.host = host;
        this.p = params;
        this.limits = SyncCodec.Limits.of(params);
        this.penalty = penalty;
        this.scores = new PeerScores(params.maxScoredPeers(), params.banThreshold(), params.banDuration().toNanos(),
                params.scoreRecovery().toNanos(), System::nanoTime);
        this.worker = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sync-client");
            t.setDaemon(true);
            return t;
        });
        this.worker.setRemoveOnCancelPolicy(true);
        int max = params.maxHints();
        this.hints = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Cid, List<PeerId>> e) {
                return size() > max;
            }
        };
    }

    @Override
    public void attach(ReplicationPort crdt) {
        this.crdt = crdt;
    }

    @Override
    public void hint(Cid head, PeerId peer) {
        synchronized (hints) {
            List<PeerId> l = hints.computeIfAbsent(head, k -> new ArrayList<>(2));
            if (!l.contains(peer) && l.size() < 8) l.add(peer);
        }
    }

    @Override
    public int score(PeerId peer) {
        return scores.score(peer); // 0 once a ban is over: forgiven
    }

    /** Whether {@code peer} may be asked now (not banned); a ban that is over is forgiven here. */
    boolean admits(PeerId peer) {
        return scores.admits(peer);
    }

    /** Peers whose score is remembered (at most {@link SyncParams#maxScoredPeers()}). */
    int scoredPeers() {
        return scores.size();
    }

    @Override
    public SyncMetrics metrics() {
        return new SyncMetrics(requests.sum(), blocks.sum(), blockBytes.sum(), wireBytes.sum(), penalties.sum(), failures.sum(), scores.bannedCount());
    }

    @Override
    public CompletableFuture<byte[]> fetch(Cid cid) {
        byte[][] got = new byte[1][];
        return fetch(cid, Set.of(), b -> got[0] = b, true).thenApply(v -> {
            if (got[0] == null) throw new IllegalStateException("no peer served " + cid);
            return got[0];
        });
    }

    @Override
    public CompletableFuture<Void> fetchBranch(Cid head, Set<Cid> frontier, Consumer<byte[]> sink) {
        return fetch(head, frontier, sink, false);
    }

    /** All heads in one BRANCH request (same stream, same rounds): a backlog of heads costs one round trip. */
    @Override
    public CompletableFuture<Void> fetchBranches(List<Cid> heads, Set<Cid> frontier, Consumer<byte[]> sink) {
        if (closed) return CompletableFuture.failedFuture(new IllegalStateException("sync client closed"));
        List<Cid> todo = new ArrayList<>();
        for (Cid h : new LinkedHashSet<>(heads)) if (!held(h)) todo.add(h);
        if (todo.isEmpty()) return CompletableFuture.completedFuture(null);
        List<Cid> have = have(todo, frontier);
        // one request per announcing peer: a peer asked for another author's fresh head lacks it
        // (missing → next peer → after maxPeersPerFetch a failed fetch that waits for the next
        // rebroadcast), so heads are grouped by the peer that announced them first
        Map<PeerId, List<Cid>> groups = new LinkedHashMap<>();
        List<Cid> unhinted = new ArrayList<>();
        for (Cid h : todo) {
            PeerId first = null;
            synchronized (hints) {
                for (PeerId peer : hints.getOrDefault(h, List.of())) {
                    if (host.connection(peer).isPresent()) {
                        first = peer;
                        break;
                    }
                }
            }
            if (first == null) unhinted.add(h);
            else groups.computeIfAbsent(first, k -> new ArrayList<>()).add(h);
        }
        List<List<Cid>> runs = new ArrayList<>(groups.values());
        if (!unhinted.isEmpty()) runs.add(unhinted);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (List<Cid> group : runs) {
            CompletableFuture<Void> f = new FetchRun(this, group, have, sink, false, candidates(group)).start();
            f.whenComplete((v, e) -> {
                if (e != null) failures.increment();
            });
            all.add(f);
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> fetch(Cid head, Set<Cid> frontier, Consumer<byte[]> sink, boolean single) {
        if (closed) return CompletableFuture.failedFuture(new IllegalStateException("sync client closed"));
        if (!single && held(head)) return CompletableFuture.completedFuture(null);
        FetchRun run = new FetchRun(this, List.of(head), single ? List.of() : have(List.of(head), frontier), sink, single, candidates(List.of(head)));
        CompletableFuture<Void> f = run.start();
        f.whenComplete((v, e) -> {
            if (e != null) failures.increment();
        });
        return f;
    }

    // ------------------------------------------------------------------ local knowledge

    boolean held(Cid c) {
        ReplicationPort r = crdt;
        return r != null && r.hasBlock(c); // not block(c): a block under load is ~100 KB, read and copied for a yes/no
    }

    /** The asker's "have": the engine's frontier, the replica's heads, and some of their ancestors. */
    private List<Cid> have(List<Cid> asked, Set<Cid> frontier) {
        LinkedHashSet<Cid> have = new LinkedHashSet<>();
        int cap = Math.min(p.maxHave(), p.maxCidsPerRequest());
        ReplicationPort r = crdt;
        ArrayDeque<Cid> todo = new ArrayDeque<>();
        if (r != null) for (Head h : r.heads()) todo.add(h.cid());
        for (Cid c : frontier) {
            if (have.size() >= cap / 2) break;
            have.add(c);
        }
        int walked = 0;
        // ancestors of the local heads only (the frontier is added as is): walking knownPerRequest
        // + |frontier| blocks decoded hundreds of blocks per fetch on the client's single worker
        // once the frontier carried the running fetches' heads
        while (!todo.isEmpty() && have.size() < cap && walked < p.knownPerRequest()) {
            Cid c = todo.poll();
            if (!have.add(c) && walked > 0) continue;
            walked++;
            if (r == null) continue;
            try {
                r.links(c).ifPresent(todo::addAll); // links only, from the engine's cache of recent blocks
            } catch (IllegalArgumentException ignored) {
                // a stored block that does not decode is not walked
            }
        }
        asked.forEach(have::remove); // never claim a block asked for
        return new ArrayList<>(have);
    }

    // ------------------------------------------------------------------ peers

    private List<PeerId> candidates(List<Cid> heads) {
        LinkedHashSet<PeerId> order = new LinkedHashSet<>();
        List<PeerId> hinted = new ArrayList<>();
        synchronized (hints) {
            for (Cid head : heads) hinted.addAll(hints.getOrDefault(head, List.of()));
        }
        for (PeerId peer : hinted) if (host.connection(peer).isPresent()) order.add(peer);
        if (order.size() > 1) { // the announcers, best score first (a stable sort: else in the order they announced)
            List<PeerId> announcers = new ArrayList<>(order);
            announcers.sort(Comparator.comparingInt(this::score).reversed());
            order.clear();
            order.addAll(announcers);
        }
        List<PeerId> others = new ArrayList<>();
        for (Connection c : host.connections()) {
            if (c.identifyInfo().map(i -> i.supports(SyncServer.PROTOCOL)).orElse(true)) others.add(c.remotePeer());
        }
        others.sort(Comparator.comparingInt(this::score).reversed());
        order.addAll(others);
        List<PeerId> out = new ArrayList<>();
        for (PeerId peer : order) {
            if (!admits(peer)) continue; // banned (a ban that is over is forgiven: a clean score again)
            out.add(peer);
            if (out.size() >= p.maxPeersPerFetch()) break;
        }
        return out;
    }

    /** A peer compacted {@code cid} away (a block it holds links to it): the engine lets it go if it may. */
    void pruned(Cid cid) {
        ReplicationPort r = crdt;
        if (r != null) r.onPruned(cid);
    }

    @Override
    public void rejected(RejectedBlockException e) {
        PeerId peer = suppliers.take(e.cid());
        if (peer != null) penalize(peer, Offense.REJECTED_BLOCK, e.getMessage());
    }

    void penalize(PeerId peer, Offense o, String detail) {
        penalties.increment();
        log.debug("sync: penalizing {} ({}): {}", peer, o, detail);
        scores.penalize(peer, o.points, o.mayBan); // a TIMEOUT demotes the peer, never bans it
        try {
            penalty.penalize(peer, o, detail);
        } catch (RuntimeException e) {
            log.warn("PeerPenalty failed", e);
        }
    }

    /** Completes when a request slot of {@code peer} is free; fails if too many wait. */
    CompletableFuture<Void> acquire(PeerId peer) {
        synchronized (slots) {
            Slots s = slots.computeIfAbsent(peer, k -> new Slots());
            if (s.used < p.maxStreamsPerPeer()) {
                s.used++;
                return CompletableFuture.completedFuture(null);
            }
            if (s.waiters.size() >= MAX_WAITERS_PER_PEER) return CompletableFuture.failedFuture(new IllegalStateException("too many waiting requests"));
            CompletableFuture<Void> f = new CompletableFuture<>();
            s.waiters.add(f);
            return f;
        }
    }

    /**
     * Frees the slot only when the stream is gone on both sides (the server counts a stream until
     * then): a slot freed at our half-close let the next request open a stream the server still saw
     * as one too many. A close that the server never finishes is reset by the stream after a bound.
     */
    void releaseWhenClosed(PeerId peer, Stream s) {
        s.closeFuture().whenComplete((v, e) -> release(peer));
    }

    void release(PeerId peer) {
        CompletableFuture<Void> next;
        synchronized (slots) {
            Slots s = slots.get(peer);
            if (s == null) return;
            next = s.waiters.poll();
            if (next == null && --s.used == 0) slots.remove(peer);
        }
        if (next != null) worker.execute(() -> next.complete(null));
    }

    @Override
    public void close() {
        closed = true;
        worker.shutdownNow();
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        synchronized (slots) {
            for (Slots s : slots.values()) waiting.addAll(s.waiters);
            slots.clear();
        }
        for (CompletableFuture<Void> f : waiting) f.completeExceptionally(new IllegalStateException("sync client closed"));
    }

    static RejectedBlockException rejected(Throwable t) {
        return t instanceof RejectedBlockException r ? r : null;
    }
}
