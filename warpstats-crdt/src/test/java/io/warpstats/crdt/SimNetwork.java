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

    SimNetwork(int n, Random rnd, double loss, double dup, double fetchFail) {
        this.rnd = rnd;
        this.loss = loss;
        this.dup = dup;
        this.fetchFail = fetchFail;
        for (int i = 0; i < n; i++) {
            int me = i;
            replicas.add(MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                    .maxConcurrentFetches(1 + rnd.nextInt(4))
                    .broadcaster(msg -> {
                        for (int j = 0; j < n; j++) {
                            if (j == me || this.rnd.nextDouble() < this.loss) continue;
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
        if (!reliable && rnd.nextDouble() < fetchFail) {
            r.future().completeExceptionally(new IllegalStateException("timeout"));
            return true;
        }
        int start = rnd.nextInt(replicas.size());
        for (int k = 0; k < replicas.size(); k++) {
            int p = (start + k) % replicas.size();
            if (p == r.from()) continue;
            var b = replicas.get(p).replication().block(r.cid());
            if (b.isPresent()) {
                r.future().complete(b.get());
                return true;
            }
        }
        r.future().completeExceptionally(new IllegalStateException("no peer has " + r.cid()));
        return true;
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
            if (converged()) return;
        }
    }

    boolean converged() {
        List<Head> h0 = replicas.get(0).heads();
        for (MerkleCrdt r : replicas) if (!r.heads().equals(h0) || r.metrics().pendingBlocks() != 0) return false;
        return true;
    }

    void close() {
        replicas.forEach(MerkleCrdt::close);
    }
}
