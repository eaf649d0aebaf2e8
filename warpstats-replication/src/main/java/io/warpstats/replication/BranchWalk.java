package io.warpstats.replication;

import io.warpstats.crdt.Block;
import io.warpstats.multiformats.Cid;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The server's walk of one BRANCH answer. Blocks are visited in descending priority (height), which
 * is a breadth-first, dependency order: every link of a block has a lower priority than the block,
 * so a block comes after every block of the answer that links to it. Two walks share the queue:
 * the asker's "have" blocks the server holds are walked as <em>known</em>, and a block reached from
 * a known block is known too (the asker has processed it or holds it in its own walk frontier), so
 * the answer stops where the branch meets the asker's history even if the asker's heads are unknown
 * here and only some of their ancestors are. The asked heads themselves are never known: a processed
 * "have" block may link to a block still in the asker's walk frontier, and that block, when asked for,
 * must be sent (else a walk interrupted below a merged head never completes). Unknown blocks are sent until the block or byte budget
 * is spent; the unsent unknown blocks still queued become the continuation. At most
 * {@code maxSteps} blocks are read in total.
 */
final class BranchWalk {
    private enum State { UNKNOWN, KNOWN, DONE }

    private record Entry(long priority, Cid cid, List<Cid> links) {}

    /** Priority and links of a held block (immutable, so cacheable by CID). */
    record Meta(long priority, List<Cid> links) {}

    /**
     * A bounded LRU of {@link Meta} shared by the walks of one server: consecutive requests walk the
     * same top of the DAG (the asker's "have" blocks, the recent heads), and decoding each block's
     * whole delta only to read its priority was the server's main cost (profiled in the cluster
     * benchmark, docs/benchmarks.md).
     */
    static final class MetaCache {
        private final Map<Cid, Meta> map;

        MetaCache(int capacity) {
            map = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(1024, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Cid, Meta> e) {
                    return size() > capacity;
                }
            });
        }

        Meta get(Cid cid) { return map.get(cid); }

        void put(Cid cid, Meta m) { map.put(cid, m); }
    }

    /** The outcome: blocks in dependency order, continuation (if truncated), blocks the server lacks. */
    record Result(List<byte[]> blocks, long bytes, boolean truncated, List<Cid> continuation, List<Cid> missing, int steps,
                  List<Cid> pruned) {}

    private final BlockSource source;
    private final int maxBlocks;
    private final long maxBytes;
    private final int maxSteps;
    private final int maxCids;
    private final MetaCache cache;
    private final Map<Cid, State> state = new HashMap<>();
    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> {
        int c = Long.compareUnsigned(b.priority, a.priority);
        return c != 0 ? c : a.cid.compareTo(b.cid);
    });
    private final List<Cid> missing = new ArrayList<>();
    private int unknownQueued;
    private int steps;

    BranchWalk(BlockSource source, int maxBlocks, long maxBytes, int maxSteps, int maxCids) {
        this(source, maxBlocks, maxBytes, maxSteps, maxCids, new MetaCache(0));
    }

    BranchWalk(BlockSource source, int maxBlocks, long maxBytes, int maxSteps, int maxCids, MetaCache cache) {
        this.cache = cache;
        this.source = source;
        this.maxBlocks = maxBlocks;
        this.maxBytes = maxBytes;
        this.maxSteps = maxSteps;
        this.maxCids = maxCids;
    }

    Result run(Collection<Cid> heads, Set<Cid> have) {
        // An asked block is never taken for a known one: the asker asks for it because it lacks it.
        // "have" blocks are processed, but their own links may still be in the asker's walk frontier
        // (the walk goes top-down and can be interrupted below a merged head); a block reached from a
        // known block is known only if nobody asked for it, else such a frontier block is never served.
        Set<Cid> asked = new java.util.HashSet<>(heads);
        for (Cid h : have) {
            if (steps >= maxSteps) break;
            if (!state.containsKey(h) && !asked.contains(h)) enqueue(h, State.KNOWN);
        }
        for (Cid h : heads) {
            if (state.containsKey(h)) continue;
            enqueue(h, State.UNKNOWN);
        }
        List<byte[]> out = new ArrayList<>();
        long bytes = 0;
        boolean truncated = false;
        List<Cid> continuation = new ArrayList<>();
        while (unknownQueued > 0) {
            Entry e = queue.poll();
            State s = state.get(e.cid);
            if (s == State.KNOWN) {
                state.put(e.cid, State.DONE);
                for (Cid l : e.links) {
                    State ls = state.get(l);
                    if (ls == null) {
                        if (steps < maxSteps) enqueue(l, State.KNOWN);
                    } else if (ls == State.UNKNOWN && !asked.contains(l)) {
                        state.put(l, State.KNOWN); // it is below the asker's history after all
                        unknownQueued--;
                    }
                }
                continue;
            }
            // UNKNOWN: send it, unless a budget is spent
            unknownQueued--;
            Optional<byte[]> b = source.block(e.cid);
            if (b.isEmpty()) {
                state.put(e.cid, State.DONE);
                if (missing.size() < maxCids) missing.add(e.cid);
                continue;
            }
            if (out.size() >= maxBlocks || (!out.isEmpty() && bytes + b.get().length > maxBytes) || steps >= maxSteps) {
                truncated = true;
                continuation.add(e.cid);
                break;
            }
            state.put(e.cid, State.DONE);
            out.add(b.get());
            bytes += b.get().length;
            for (Cid l : e.links) {
                if ((have.contains(l) && !asked.contains(l)) || state.containsKey(l)) continue;
                if (steps >= maxSteps) {
                    // not read: it goes to the continuation unread
                    state.put(l, State.DONE);
                    truncated = true;
                    if (continuation.size() < maxCids) continuation.add(l);
                    continue;
                }
                enqueue(l, State.UNKNOWN);
            }
        }
        if (truncated) {
            for (Entry e : queue) {
                if (continuation.size() >= maxCids) break;
                if (state.get(e.cid) == State.UNKNOWN) continuation.add(e.cid);
            }
        }
        // a missing block that was compacted away here: deleted lately, or one a held block links to (not an
        // asked one) that the source neither holds nor waits for; the asker can let it go
        List<Cid> pruned = new ArrayList<>();
        for (Cid m : missing) if (source.compacted(m, !asked.contains(m))) pruned.add(m);
        return new Result(out, bytes, truncated, continuation, missing, steps, pruned);
    }

    /** Reads a block's priority and links and queues it; a block not held (or not decodable) is missing. */
    private void enqueue(Cid cid, State s) {
        steps++;
        Meta m = cache.get(cid);
        if (m != null) {
            state.put(cid, s);
            if (s == State.UNKNOWN) unknownQueued++;
            queue.add(new Entry(m.priority(), cid, m.links()));
            return;
        }
        Optional<byte[]> bytes = source.block(cid);
        Block block = null;
        if (bytes.isPresent()) {
            try {
                block = Block.decode(bytes.get());
            } catch (IllegalArgumentException e) {
                block = null;
            }
        }
        if (block == null) {
            state.put(cid, State.DONE);
            if (s == State.UNKNOWN && missing.size() < maxCids) missing.add(cid);
            return;
        }
        state.put(cid, s);
        if (s == State.UNKNOWN) unknownQueued++;
        Meta meta = new Meta(block.delta().priority(), List.copyOf(block.links()));
        cache.put(cid, meta);
        queue.add(new Entry(meta.priority(), cid, meta.links()));
    }
}
