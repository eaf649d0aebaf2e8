package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * A deterministic simulated network of N replicas in one JVM, driven by one seeded Random on the
 * calling thread: announcements are lost, duplicated, delayed and reordered; block requests are
 * answered (or not) by random peers, later, in random order. Nothing runs on another thread, so
 * a seed replays a schedule exactly.
 */
final class SimNetwork {
    record Message(int to, CrdtBroadcast announcement) {}

    record Request(int from, Cid cid, CompletableFuture<byte[]> future) {}

    final List<MerkleCrdt> replicas = new ArrayList<>();
    final List<Message> inTransit = new ArrayList<>();
    final List<Request> requests = new ArrayList<>();
    final Random rnd;
    /** Probabilities (0..1) of losing / duplicating an announcement and failing a fetch. */
    double loss, dup, fetchFail;
    /** Whether the replicas write checkpoints (and may then hold redundant heads). */
    final boolean compacting;
    /** Replicas cut off from the others: they hear nothing, are asked nothing and get no answers. */
    final java.util.Set<Integer> offline = new java.util.HashSet<>();
    /** Links of every block served or pushed: who links to whom, for a peer's "compacted away" report. */
    final java.util.Map<Cid, List<Cid>> seenLinks = new java.util.HashMap<>();

    SimNetwork(int n, Random rnd, double loss, double dup, double fetchFail) {
        this(n, rnd, loss, dup, fetchFail, CompactionOptions.disabled());
    }

    SimNetwork(int n, Random rnd, double loss, double dup, double fetchFail, CompactionOptions compaction) {
        this.rnd = rnd;
        this.compacting = compaction.enabled();
        this.loss = loss;
        this.dup = dup;
        this.fetchFail = fetchFail;
        for (int i = 0; i < n; i++) {
            int me = i;
            replicas.add(MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                    .maxConcurrentFetches(1 + rnd.nextInt(4))
                    .compaction(compaction)
                    .broadcaster(msg -> {
                        for (byte[] b : msg.blocks()) seenLinks.put(Cid.ofDagPb(b), Block.decode(b).links());
                        for (int j = 0; j < n; j++) {
                            if (j == me || offline.contains(me) || offline.contains(j) || this.rnd.nextDouble() < this.loss) continue;
                            inTransit.add(new Message(j, msg));
                            if (this.rnd.nextDouble() < this.dup) inTransit.add(new Message(j, msg));
                        }
                    })
                    .fetcher(cid -> {
                        CompletableFuture<byte[]> f = new CompletableFuture<>();
                        requests.add(new Request(me, cid, f));
                        return f;
                    })
                    .build());
        }
    }

    /** Delivers one random announcement (reordering); false if none. */
    boolean deliverOne() {
        if (inTransit.isEmpty()) return false;
        Message m = inTransit.remove(rnd.nextInt(inTransit.size()));
        replicas.get(m.to()).replication().onBroadcast(m.announcement());
        return true;
    }

    /** Answers one random request from a random peer that has the block, or fails it. */
    boolean serveOne(boolean reliable) {
        if (requests.isEmpty()) return false;
        Request r = requests.remove(rnd.nextInt(requests.size()));
        if ((!reliable && rnd.nextDouble() < fetchFail) || offline.contains(r.from())) {
            r.future().completeExceptionally(new IllegalStateException("timeout"));
            return true;
        }
        int start = rnd.nextInt(replicas.size());
        boolean pruned = false;
        for (int k = 0; k < replicas.size(); k++) {
            int p = (start + k) % replicas.size();
            if (p == r.from() || offline.contains(p)) continue;
            ReplicationPort peer = replicas.get(p).replication();
            var b = peer.block(r.cid());
            if (b.isPresent()) {
                seenLinks.put(r.cid(), Block.decode(b.get()).links());
                r.future().complete(b.get());
                return true;
            }
            // the sync server's report: a block it holds links to it, it neither holds it nor waits for it
            if (peer.recentlyCompacted(r.cid()) || (!peer.isPending(r.cid()) && linkedFromHeld(peer, r.cid()))) {
                pruned = true;
            }
        }
        if (pruned) replicas.get(r.from()).replication().onPruned(r.cid());
        r.future().completeExceptionally(new IllegalStateException("no peer has " + r.cid()));
        return true;
    }

    private boolean linkedFromHeld(ReplicationPort peer, Cid c) {
        for (var e : seenLinks.entrySet()) if (e.getValue().contains(c) && peer.hasBlock(e.getKey())) return true;
        return false;
    }

    /** Lets the network heal: flush, rebroadcast, deliver everything reliably; bounded rounds. */
    void heal() {
        for (int round = 0; round < 50; round++) {
            replicas.forEach(r -> r.flush().join());
            replicas.forEach(r -> r.replication().rebroadcast());
            int steps = 0;
            while ((deliverOne() | serveOne(true)) && steps++ < 1_000_000) {
                // drain
            }
            replicas.forEach(r -> r.replication().whenIdle().join()); // the reapers' work included
            if (converged()) return;
        }
    }

    /**
     * Every walk done and, without compaction, the same heads everywhere; with it the same visible state (a
     * replica may hold a redundant head: a block made a head when its parent was compacted away there).
     */
    boolean converged() {
        List<Head> h0 = replicas.get(0).heads();
        java.util.Map<String, String> s0 = state(replicas.get(0));
        for (MerkleCrdt r : replicas) {
            if (r.metrics().pendingBlocks() != 0) return false;
            if (compacting ? !state(r).equals(s0) : !r.heads().equals(h0)) return false;
        }
        return true;
    }

    private static java.util.Map<String, String> state(MerkleCrdt c) {
        java.util.Map<String, String> m = new java.util.TreeMap<>();
        c.query("", (k, v) -> m.put(k, java.util.Arrays.toString(v)));
        return m;
    }

    void close() {
        replicas.forEach(MerkleCrdt::close);
    }
}
