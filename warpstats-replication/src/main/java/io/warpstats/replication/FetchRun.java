package io.warpstats.replication;

import io.warpstats.crdt.RejectedBlockException;
import io.warpstats.crdt.UnavailableBlocksException;
import io.warpstats.multiformats.Cid;
import io.warpstats.multiformats.DagPb;
import io.warpstats.p2p.PeerId;
import io.warpstats.p2p.Stream;
import io.warpstats.replication.PeerPenalty.Offense;
import io.warpstats.replication.SyncMessage.Blocks;
import io.warpstats.replication.SyncMessage.Branch;
import io.warpstats.replication.SyncMessage.Code;
import io.warpstats.replication.SyncMessage.Get;
import io.warpstats.replication.SyncMessage.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One fetch (a GET of one block, or a BRANCH in rounds) tried with one peer after the other. All of
 * its steps run on the client's worker thread, one at a time, so its fields need no locking.
 *
 * <p>{@code needed} is what this fetch still wants: the heads of the current round, plus the links
 * of every block received that are not held locally, minus what was received. If a peer fails, the
 * next one is asked for {@code needed} (without what the replica meanwhile holds).
 */
final class FetchRun {
    private final SyncClientImpl c;
    private final Cid head;
    private final List<Cid> have;
    private final Consumer<byte[]> sink;
    private final boolean single;
    private final List<PeerId> peers;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    /** The heads the fetch was asked for, and how many peers' first answers listed each as missing. */
    private final Set<Cid> asked;
    private final java.util.Map<Cid, Integer> missingCount = new java.util.HashMap<>();
    /** Attempts that ended in a status (not BUSY or REFUSED); any other end makes the fetch {@code unclean}. */
    private int answered;
    private boolean unclean;
    private final LinkedHashSet<Cid> needed = new LinkedHashSet<>();
    private final Set<Cid> lacking = new LinkedHashSet<>();
    private int nextPeer;

    // the current attempt
    private PeerId peer;
    private Stream stream;
    private Set<Cid> expected;
    /** The heads asked in the current round (a head neither sent, nor held, nor reported missing stays needed). */
    private List<Cid> roundHeads = List.of();
    private int rounds;
    private int roundBlocks;
    private ScheduledFuture<?> deadline;
    private boolean timedOut;
    private int attempt;
    /**
     * When this fetch last heard from its peer or last finished work of its own (nanoTime; written on the network
     * thread as a frame arrives, and on the worker): the request timeout counts from here, so time this replica spends
     * merging what the peer already sent (the worker is busy, the stream's window full) is not charged to the peer.
     */
    private volatile long lastProgress;
    /**
     * The time the current request has waited on its peer so far, frame by frame (written on the network thread as a
     * frame arrives, reset by the worker before the request goes out): at most {@link #MAX_REQUEST_FACTOR} timeouts.
     */
    private volatile long waitedOnPeer;
    /** A request whose answer trickles in is reset once it has waited this many request timeouts on its peer in all. */
    static final int MAX_REQUEST_FACTOR = 6;

    FetchRun(SyncClientImpl client, List<Cid> heads, List<Cid> have, Consumer<byte[]> sink, boolean single, List<PeerId> peers) {
        this.c = client;
        this.head = heads.get(0);
        this.have = have;
        this.sink = sink;
        this.single = single;
        this.peers = peers;
        needed.addAll(heads);
        asked = Set.copyOf(heads);
    }

    CompletableFuture<Void> start() {
        c.worker.execute(this::tryNextPeer);
        return done;
    }

    private void tryNextPeer() {
        if (done.isDone()) return;
        if (!single) needed.removeIf(c::held);
        if (needed.isEmpty()) {
            done.complete(null);
            return;
        }
        if (c.closed || nextPeer >= peers.size()) {
            String why = "no peer served " + needed.size() + " block(s) under " + head + " (asked " + nextPeer + ")";
            Set<Cid> unavailable = new HashSet<>(); // every asked peer answered, and each said it lacks these heads
            if (!single && !unclean && !c.closed && answered > 0) {
                for (Cid h : asked) if (needed.contains(h) && missingCount.getOrDefault(h, 0) == answered) unavailable.add(h);
            }
            done.completeExceptionally(unavailable.isEmpty() ? new IllegalStateException(why) : new UnavailableBlocksException(unavailable, why));
            return;
        }
        PeerId candidate = peers.get(nextPeer++);
        int myAttempt = ++attempt;
        io.warpstats.crdt.Trace.event("acquire", candidate, head);
        c.acquire(candidate).whenComplete((v, e) -> {
            if (e != null) {
                c.worker.execute(() -> {
                    unclean = true;
                    tryNextPeer();
                });
                return;
            }
            c.host.newStream(candidate, List.of(SyncServer.PROTOCOL)).whenCompleteAsync((s, err) -> {
                if (err != null || done.isDone()) {
                    unclean = true;
                    if (s != null) {
                        s.reset();
                        c.releaseWhenClosed(candidate, s);
                    } else {
                        c.release(candidate);
                    }
                    tryNextPeer();
                    return;
                }
                begin(candidate, s, myAttempt);
            }, c.worker);
        });
    }

    private void begin(PeerId candidate, Stream s, int myAttempt) {
        peer = candidate;
        stream = s;
        expected = new HashSet<>();
        rounds = 0;
        List<Cid> heads = bounded(needed);
        request(heads, have, myAttempt);
    }

    private static List<Cid> bounded(Set<Cid> s) {
        List<Cid> l = new ArrayList<>();
        for (Cid x : s) {
            l.add(x);
            if (l.size() >= 1024) break;
        }
        return l;
    }

    private void request(List<Cid> heads, List<Cid> haveNow, int myAttempt) {
        rounds++;
        roundBlocks = 0;
        roundHeads = heads;
        expected.addAll(heads);
        c.requests.increment();
        if (io.warpstats.crdt.Trace.ON) for (Cid h : heads) io.warpstats.crdt.Trace.event("request" + rounds + "/have" + haveNow.size(), peer, h);
        SyncMessage m = single ? new Get(heads) : new Branch(heads, haveNow, 0);
        timedOut = false;
        Stream s = stream;
        waitedOnPeer = 0;
        lastProgress = System.nanoTime();
        armDeadline(s, myAttempt, c.p.requestTimeout().toNanos());
        s.writeMessage(SyncCodec.encode(m));
        read(myAttempt);
    }

    /**
     * The request timeout: the peer is charged {@link Offense#TIMEOUT} (and the stream reset) once it has kept this
     * fetch waiting for {@code requestTimeout} since {@link #lastProgress}, or for {@link #MAX_REQUEST_FACTOR} request
     * timeouts in all (a peer that trickles its answer cannot hold a request slot for longer). Time the answer spends
     * in this replica's own hands (frames queued behind its worker, blocks being merged while the stream's window is
     * full) does not count: a replica that falls behind in merging must not charge, and then ban, the honest peers
     * whose answers it is slow to read.
     */
    private void armDeadline(Stream s, int myAttempt, long delayNanos) {
        deadline = c.worker.schedule(() -> {
            if (attempt != myAttempt || stream != s) return;
            long timeout = c.p.requestTimeout().toNanos();
            long waited = System.nanoTime() - lastProgress;
            long left = Math.min(timeout - waited, MAX_REQUEST_FACTOR * timeout - waitedOnPeer - waited);
            if (left > 0) {
                armDeadline(s, myAttempt, left);
                return;
            }
            timedOut = true;
            s.reset();
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void read(int myAttempt) {
        stream.readMessage(c.limits.maxFrameBytes()).whenComplete((frame, err) -> {
            long now = System.nanoTime(); // the network thread, as the frame arrives: the wait on the peer ends here
            waitedOnPeer += now - lastProgress;
            lastProgress = now;
        }).whenCompleteAsync((frame, err) -> onFrame(frame, err, myAttempt), c.worker);
    }

    private void onFrame(byte[] frame, Throwable err, int myAttempt) {
        if (myAttempt != attempt || done.isDone()) return;
        lastProgress = System.nanoTime(); // a frame that waited in this replica's queue: the wait was ours
        if (err != null || frame == null) {
            if (timedOut) c.penalize(peer, Offense.TIMEOUT, "no answer within " + c.p.requestTimeout());
            fail();
            return;
        }
        SyncMessage m;
        try {
            m = SyncCodec.decode(frame, c.limits);
        } catch (MalformedFrameException e) {
            c.penalize(peer, Offense.MALFORMED, e.getMessage());
            fail();
            return;
        }
        if (m instanceof Blocks b) {
            c.wireBytes.add(frame.length);
            for (int i = 0; i < b.size(); i++) {
                if (!accept(b.blockAt(i))) return;
            }
            lastProgress = System.nanoTime(); // merging the frame's blocks was this replica's time
            read(myAttempt);
        } else if (m instanceof Status st) {
            onStatus(st, myAttempt);
        } else {
            c.penalize(peer, Offense.MALFORMED, "a request in an answer");
            fail();
        }
    }

    /** Verifies one block and hands it to the sink; false if the attempt ended. */
    private boolean accept(byte[] bytes) {
        Cid cid = Cid.ofDagPb(bytes);
        if (!expected.remove(cid) || (single && !cid.equals(head))) {
            c.penalize(peer, Offense.WRONG_BLOCK, "block " + cid + " was not expected");
            fail();
            return false;
        }
        roundBlocks++;
        io.warpstats.crdt.Trace.event("recv", peer, cid);
        c.blocks.increment();
        c.blockBytes.add(bytes.length);
        needed.remove(cid);
        c.suppliers.record(cid, peer); // a later rejection by the engine's verify stage is charged to this peer
        if (single) {
            sink.accept(bytes);
            return true;
        }
        List<Cid> links;
        try {
            links = new ArrayList<>();
            for (DagPb.Link l : DagPb.decode(bytes).links()) links.add(l.hash());
        } catch (IllegalArgumentException e) {
            links = List.of(); // the engine will reject it below
        }
        try {
            sink.accept(bytes);
        } catch (RejectedBlockException e) {
            c.rejected(e); // charged once: onRejected may have charged it already
            // the branch below a rejected block is not wanted; the rest of this answer may be, so go on
            return true;
        } catch (RuntimeException e) {
            endAttempt(true);
            done.completeExceptionally(e);
            return false;
        }
        for (Cid l : links) {
            expected.add(l);
            if (needed.size() < 4 * c.p.maxCidsPerRequest()) needed.add(l);
        }
        return true;
    }

    private void onStatus(Status st, int myAttempt) {
        deadline.cancel(false);
        if (st.code() == Code.BUSY || st.code() == Code.REFUSED) {
            unclean = true;
            endAttempt(false);
            tryNextPeer();
            return;
        }
        for (Cid x : st.pruned()) c.pruned(x); // compacted away there: the walk lets it go
        for (Cid x : st.missing()) if (!st.pruned().contains(x)) lacking.add(x);
        if (rounds == 1) { // the first request of an attempt asks for the heads still needed
            answered++;
            for (Cid m : st.missing()) if (asked.contains(m) && !st.pruned().contains(m)) missingCount.merge(m, 1, Integer::sum);
        }
        if (single) {
            endAttempt(false);
            if (needed.isEmpty()) done.complete(null);
            else tryNextPeer();
            return;
        }
        if (st.code() == Code.TRUNCATED && rounds < c.p.maxRounds()) {
            List<Cid> next = new ArrayList<>();
            for (Cid x : st.continuation()) {
                if (!c.held(x)) next.add(x);
                c.hint(x, peer);
            }
            if (!next.isEmpty() && roundBlocks > 0) {
                needed.clear();
                needed.addAll(next);
                needed.addAll(lacking);
                request(next, List.of(), myAttempt);
                return;
            }
        }
        endAttempt(false);
        // complete with this peer: what it lacked may be elsewhere; the rest is below our history —
        // except an asked head it did not send: the fetch is not done with it (next peer, or failure)
        List<Cid> unserved = new ArrayList<>();
        for (Cid h : roundHeads) {
            if (expected.contains(h) && !lacking.contains(h) && !c.held(h)) unserved.add(h);
        }
        needed.clear();
        needed.addAll(lacking);
        needed.addAll(unserved);
        lacking.clear();
        if (st.code() == Code.TRUNCATED) {
            done.complete(null); // out of rounds: the engine resumes from its frontier
            return;
        }
        tryNextPeer();
    }

    private void fail() {
        unclean = true;
        endAttempt(true);
        tryNextPeer();
    }

    private void endAttempt(boolean reset) {
        if (deadline != null) deadline.cancel(false);
        attempt++;
        if (stream != null) {
            if (reset) stream.reset();
            else stream.close();
            c.releaseWhenClosed(peer, stream);
        }
        stream = null;
    }
}
