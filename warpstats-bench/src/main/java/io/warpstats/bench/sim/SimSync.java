package io.warpstats.bench.sim;

import io.warpstats.crdt.BlockFetcher;
import io.warpstats.crdt.ReplicationPort;
import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.PeerId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The block sync of one replica in the simulation: a model of {@code /warpstats/sync/1.0.0} (docs/replication.md).
 * A fetch is a request to one neighbour, answered one link latency later by that neighbour's engine (its
 * stored blocks, parents first), arriving back one more latency later. The request's size is modelled as 8 bytes
 * plus 36 per CID (the heads and the asker's frontier, at most {@link #MAX_HAVE} of them); the answer's as every
 * block's bytes with a varint length plus 8 bytes of framing (production may compress it with zstd: this is an
 * upper bound). The walk stops at blocks the asker already holds or has in its frontier (production's {@code have}
 * list approximates the former).
 *
 * <p>Peers asked, in order: the neighbours that forwarded an announcement of a head, then every other neighbour
 * following the shard; when none holds every head, the pass is made again {@link #RETRY_MS} later, at most
 * {@link #PASSES} passes, then the fetch fails (the engine retries at its next rebroadcast).
 */
final class SimSync implements BlockFetcher {
    /** Most blocks in one answer (production's default block budget). */
    static final int BLOCK_BUDGET = 1000;
    /** Most frontier CIDs counted in a request's size. */
    static final int MAX_HAVE = 256;
    /** Pause between two passes over the candidate peers. */
    static final long RETRY_MS = 250;
    /** Passes over the candidate peers before a fetch fails. */
    static final int PASSES = 8;

    private final EventQueue clock;
    private final Function<PeerId, SimNode> nodes;
    private final SimNode node;
    private final SimNode.Replica replica;

    SimSync(EventQueue clock, Function<PeerId, SimNode> nodes, SimNode node, SimNode.Replica replica) {
        this.clock = clock;
        this.nodes = nodes;
        this.node = node;
        this.replica = replica;
    }

    @Override
    public CompletableFuture<byte[]> fetch(Cid cid) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        fetchBranches(List.of(cid), Set.of(), b -> {
            if (Cid.ofDagPb(b).equals(cid)) f.complete(b);
        }).whenComplete((v, e) -> {
            if (!f.isDone()) f.completeExceptionally(e != null ? e : new IllegalStateException("no peer sent " + cid));
        });
        return f;
    }

    @Override
    public CompletableFuture<Void> fetchBranch(Cid head, Set<Cid> frontier, Consumer<byte[]> sink) {
        return fetchBranches(List.of(head), frontier, sink);
    }

    @Override
    public CompletableFuture<Void> fetchBranches(List<Cid> heads, Set<Cid> frontier, Consumer<byte[]> sink) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Set<Cid> have = Set.copyOf(frontier);
        // called inside the engine's walk: the first request leaves on the next event, never re-entering the engine
        clock.schedule(0, () -> pass(List.copyOf(heads), have, sink, done, 0));
        return done;
    }

    private void pass(List<Cid> heads, Set<Cid> have, Consumer<byte[]> sink, CompletableFuture<Void> done, int pass) {
        Set<PeerId> candidates = new LinkedHashSet<>();
        for (Cid h : heads) candidates.addAll(replica.announcers.getOrDefault(h, List.of()));
        for (PeerId p : node.links.keySet()) if (nodes.apply(p).replicas.containsKey(replica.shard)) candidates.add(p);
        ask(new ArrayList<>(candidates), 0, heads, have, sink, done, pass);
    }

    private void ask(List<PeerId> candidates, int next, List<Cid> heads, Set<Cid> have, Consumer<byte[]> sink,
                     CompletableFuture<Void> done, int pass) {
        // a delivered head is applied but only committed when the fetch ends: what the answers carried counts, not hasBlock
        List<Cid> missing = new ArrayList<>();
        for (Cid h : heads) if (!replica.crdt.replication().hasBlock(h)) missing.add(h);
        if (missing.isEmpty()) {
            done.complete(null);
            return;
        }
        if (next >= candidates.size()) {
            if (pass + 1 >= PASSES) {
                done.completeExceptionally(new IllegalStateException("no neighbour holds " + missing));
            } else {
                clock.schedule(RETRY_MS, () -> pass(missing, have, sink, done, pass + 1));
            }
            return;
        }
        PeerId peer = candidates.get(next);
        long latency = node.links.get(peer);
        long requestBytes = 8 + 36L * (missing.size() + Math.min(have.size(), MAX_HAVE));
        clock.schedule(latency, () -> {
            SimNode server = nodes.apply(peer);
            server.syncMessagesIn++;
            server.syncBytesIn += requestBytes;
            Set<Cid> sent = new HashSet<>();
            List<byte[]> answer = serve(server, missing, have, sent);
            long answerBytes = 8;
            for (byte[] b : answer) answerBytes += b.length + varintSize(b.length);
            long bytes = answerBytes;
            clock.schedule(latency, () -> {
                node.syncMessagesIn++;
                node.syncBytesIn += bytes;
                for (byte[] b : answer) {
                    try {
                        sink.accept(b);
                    } catch (RuntimeException e) {
                        // a rejected block: the engine remembers it; cannot happen with honest nodes
                    }
                }
                List<Cid> still = new ArrayList<>();
                for (Cid h : missing) {
                    if (sent.contains(h)) replica.announcers.remove(h);
                    else still.add(h);
                }
                ask(candidates, next + 1, still, have, sink, done, pass);
            });
        });
    }

    /** The server's answer (the CIDs sent go to {@code sent}): its blocks under {@code heads}, parents first, down to what the asker holds or has in its frontier. */
    private List<byte[]> serve(SimNode server, List<Cid> heads, Set<Cid> have, Set<Cid> sent) {
        SimNode.Replica theirs = server.replicas.get(replica.shard);
        List<byte[]> out = new ArrayList<>();
        if (theirs == null) return out;
        ReplicationPort port = theirs.crdt.replication();
        ReplicationPort mine = replica.crdt.replication();
        ArrayDeque<Cid> queue = new ArrayDeque<>(heads);
        Set<Cid> seen = new HashSet<>();
        while (!queue.isEmpty() && out.size() < BLOCK_BUDGET) {
            Cid c = queue.poll();
            if (!seen.add(c) || have.contains(c) || mine.hasBlock(c)) continue;
            Optional<byte[]> b = port.block(c);
            if (b.isEmpty()) continue;
            out.add(b.get());
            sent.add(c);
            port.links(c).ifPresent(queue::addAll);
        }
        return out;
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v >>>= 7) != 0) n++;
        return n;
    }
}
