package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.multiformats.Cid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the blocks a checkpoint covers (docs/crdt.md, "Compaction"). When a lineage's coverage rises to
 * {@code h} ({@link Coverage}), every held block of that lineage below {@code h} is redundant: its live
 * elements are restated, under their own ids, by the checkpoint whose part 1 is at {@code h}. For each
 * such block the reaper, in one stage per {@link #CHUNK} blocks:
 * <ul>
 *   <li>removes the elements it carried (a checkpoint part: restated) that the covering checkpoint does
 *       not restate, with any tombstone row of them ({@link DeltaMerge#reap}): those elements were dead or
 *       superseded by a later element of the same author when the checkpoint was written, and nothing can
 *       bring them back — the block and every earlier checkpoint of the lineage are covered (a late copy
 *       is not merged), later checkpoints do not restate them;</li>
 *   <li>deletes the block and its index row; the processed marker goes with the block, so a link to it
 *       met later is fetched again: a peer serves it (merged as covered, reaped again) or reports it
 *       pruned, and the walk lets it go ({@link WalkScheduler#pruned}).</li>
 * </ul>
 * A held block that a deleted block linked to and that no checkpoint covers becomes a head ({@link #keepReachable}), so the
 * DAG above the checkpoints still leads to every block whose content is not restated. Tombstones the block
 * carried are kept: they name other authors' elements, which only those authors' checkpoints retire.
 *
 * <p>Concurrency: {@link #run} and {@link #runStage} are called on the engine's scheduler thread (the state of a
 * reap between two stages is confined to it); each chunk holds
 * {@link GroupCommit}'s write lock while it reads and stages, and commits before releasing it. A reap is
 * background work: merges and local flushes come first. Chunks are small ({@link #CHUNK} blocks and about
 * {@link #CHUNK_ROWS} element rows, tens of milliseconds), and after each one the reaper hands the lock to any
 * thread waiting for it (the lock is not fair: released and taken again at once, it would keep merges out for the
 * whole reap — thousands of blocks, seconds, after a checkpoint that covers a burst of writes).
 */
final class Reaper {
    private static final Logger log = LoggerFactory.getLogger(Reaper.class);
    /** Blocks deleted in one stage at most. */
    static final int CHUNK = 32;
    /**
     * Element rows (those a stage deletes and those the reaped blocks carried) after which a stage takes no further
     * block: a stage's time under the write lock follows its rows, not its blocks, and one block of a replica that
     * coalesced a burst of writes can carry thousands of them. A stage always takes at least one block.
     */
    static final int CHUNK_ROWS = 2_048;
    /** After a stage, how long the reaper lets threads waiting for the write lock go first, at most. */
    static final long YIELD_NANOS = 20_000_000;

    private final GroupCommit commit;
    private final Keys keys;
    private final HeadTracker heads;
    /** Told the bytes of the rows a pass deleted, once at its end (the store compaction's trigger: not mid-pass). */
    private final java.util.function.LongConsumer onDeleted;
    /** The lineage being reaped between two stages; scheduler thread only. */
    private Pass current;
    /** Bytes deleted by the running pass; used on the scheduler thread only. */
    private long deletedInPass;
    /** Lineage → the coverage up to which it has been reaped (in memory: a pass at open redoes what a crash interrupted). */
    private final Map<Txn.Key, Long> reapedBelow = new ConcurrentHashMap<>();
    private final LongAdder reaped = new LongAdder();
    private final LongAdder stalls = new LongAdder();
    private final LongAdder stages = new LongAdder();
    /** Blocks deleted lately, oldest first: a peer still walking towards one is told it was compacted away. */
    private final Set<Cid> recent = java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>());
    /** Deleted blocks remembered at most (in memory; a peer behind by more is told "missing" and retries). */
    static final int RECENT = 65_536;

    /** A lineage reaped up to coverage {@code first}, with the elements its covering checkpoint restates. */
    private record Pass(Txn.Key lineage, long first, Set<String> restated) {}

    Reaper(GroupCommit commit, Keys keys, HeadTracker heads, java.util.function.LongConsumer onDeleted) {
        this.commit = commit;
        this.keys = keys;
        this.heads = heads;
        this.onDeleted = onDeleted;
    }

    /** Whether {@code c} is among the last {@link #RECENT} blocks deleted. */
    boolean recentlyReaped(Cid c) {
        return recent.contains(c);
    }

    private void remember(Set<Cid> cids) {
        synchronized (recent) {
            recent.addAll(cids);
            var it = recent.iterator();
            while (recent.size() > RECENT && it.hasNext()) {
                it.next();
                it.remove();
            }
        }
    }

    /** Reap passes that found the covering checkpoint incomplete in the store and kept the covered blocks. */
    long stalls() {
        return stalls.sum();
    }

    /** Stages committed since the replica opened. */
    long stages() {
        return stages.sum();
    }

    /** Blocks deleted since the replica opened. */
    long reapedBlocks() {
        return reaped.sum();
    }

    /** Reaps every lineage whose coverage rose since it was last reaped, to the end; returns the blocks deleted. */
    int run() {
        int total = 0;
        try {
            for (int n; (n = stage()) >= 0; ) total += n;
        } finally {
            endPass();
        }
        return total;
    }

    /**
     * Runs one stage of the reap ({@link #CHUNK} blocks, about {@link #CHUNK_ROWS} element rows, one transaction)
     * and returns whether more remains. The engine runs a reap this way, one stage per task on its scheduler, so
     * the local flushes and checkpoints queued on that thread run between two stages, not after the whole reap
     * (seconds, after a checkpoint that covers a burst of writes).
     */
    boolean runStage() {
        if (stage() >= 0) return true;
        endPass();
        return false;
    }

    /** Whether a lineage's coverage rose above what has been reaped of it: a reap has work. */
    boolean hasWork() {
        if (current != null) return true;
        for (Map.Entry<Txn.Key, Long> e : commit.coverage().snapshot().entrySet()) {
            if (reapedBelow.getOrDefault(e.getKey(), 0L) < e.getValue()) return true;
        }
        return false;
    }

    /** One stage of the current lineage's reap, starting the next lineage with work if none: its blocks deleted, or -1 when nothing is left. */
    private int stage() {
        while (!commit.isClosed()) {
            if (current == null) current = nextPass();
            if (current == null) return -1;
            int n = reapStage(current.lineage().b, current.first(), current.restated());
            if (n >= 0) return n;
            reapedBelow.put(current.lineage(), current.first());
            current = null;
        }
        current = null;
        return -1;
    }

    /** The next lineage whose coverage rose since it was reaped, or null; a checkpoint incomplete in the store is a stall. */
    private Pass nextPass() {
        for (Map.Entry<Txn.Key, Long> e : commit.coverage().snapshot().entrySet()) {
            long h = e.getValue();
            if (reapedBelow.getOrDefault(e.getKey(), 0L) >= h) continue;
            Set<String> restated = restatedBy(commit.store(), e.getKey().b, h);
            if (restated != null) return new Pass(e.getKey(), h, restated);
            stalls.increment();
            log.warn("checkpoint of a lineage at height {} is incomplete in the store: its covered blocks are kept", h);
            reapedBelow.put(e.getKey(), h);
        }
        return null;
    }

    private void endPass() {
        long bytes = deletedInPass;
        deletedInPass = 0;
        onDeleted.accept(bytes);
    }

    /** Deletes at most one stage of the lineage's blocks below {@code first}: the blocks deleted, or -1 if none was left. */
    private int reapStage(byte[] lineage, long first, Set<String> restated) {
        KvStore store = commit.store();
        int done;
        commit.lock();
        try {
            if (commit.isClosed()) return -1;
            commit.commit(); // whatever is staged goes first
            List<byte[]> rows = new ArrayList<>();
            List<Cid> cids = new ArrayList<>();
            int prefixLen = keys.byLineage.length + lineage.length;
            store.scan(keys.heldPrefix(lineage), (k, v) -> {
                if (Long.compareUnsigned(Keys.getLong(Arrays.copyOfRange(k, prefixLen, prefixLen + 8)), first) >= 0) return false;
                Cid c = Cid.fromBytes(Arrays.copyOfRange(k, prefixLen + 8, k.length));
                rows.add(k);
                cids.add(c);
                return rows.size() < CHUNK;
            });
            if (rows.isEmpty()) return -1;
            Stage s = commit.stage();
            List<Element> dead = new ArrayList<>();
            List<Block> gone = new ArrayList<>();
            long bytes = 0;
            int stagedRows = 0;
            for (int i = 0; i < rows.size() && (gone.isEmpty() || stagedRows < CHUNK_ROWS); i++) {
                Cid c = cids.get(i);
                Optional<byte[]> rec = store.get(keys.processed(c));
                if (rec.isPresent()) {
                    Block b = Block.decodeHashed(c, Arrays.copyOfRange(rec.get(), 8, rec.get().length));
                    // a covered head (a block made a head when its parent went, covered since): goes too
                    if (s.heads(b.delta().dagName()).remove(c) != null) s.txn.delete(keys.head(b.delta().dagName(), c));
                    bytes += rec.get().length + deadElements(b, restated, dead);
                    s.txn.delete(keys.processed(c));
                    s.reaped.add(c);
                    gone.add(b);
                    Delta d = b.delta();
                    stagedRows += d.elements().size() + (d.checkpoint() == null ? 0 : d.checkpoint().restated().size());
                }
                s.txn.delete(rows.get(i));
            }
            Map<Cid, LinkTarget> targets = new HashMap<>();
            for (Block b : gone) keepReachable(store, s, b, targets);
            commit.merge().reap(s.txn, dead);
            Set<Cid> reapedNow = new HashSet<>(s.reaped);
            commit.commit();
            remember(reapedNow);
            done = reapedNow.size();
            reaped.add(done);
            stages.increment();
            deletedInPass += bytes;
        } finally {
            commit.unlock();
        }
        commit.yieldToWaiting(YIELD_NANOS);
        return done;
    }

    /**
     * Keeps the DAG walkable after a block goes: a held block it linked to that no checkpoint covers (another
     * author's block not folded yet, a block without an epoch) becomes a head, so it is announced and the next
     * local block links to it again. Without this, a new node walking down from the heads could no longer
     * reach it: its live content would be held here but never served.
     */
    private void keepReachable(KvStore store, Stage s, Block reaped, Map<Cid, LinkTarget> targets) {
        for (Cid l : reaped.links()) {
            if (s.reaped.contains(l) || targets.containsKey(l)) continue; // the blocks of a stage share most links
            LinkTarget t = null;
            Optional<byte[]> rec = store.get(keys.processed(l));
            if (rec.isPresent()) {
                Delta d = Block.decodeHashed(l, Arrays.copyOfRange(rec.get(), 8, rec.get().length)).delta();
                byte[] lin = Coverage.lineageOf(d);
                boolean covered = lin != null && Long.compareUnsigned(d.priority(), commit.coverage().coveredBelow(s, lin)) < 0;
                if (!covered) t = new LinkTarget(d.dagName(), d.priority()); // covered: reaped in turn
            }
            targets.put(l, t == null ? LinkTarget.NONE : t);
            if (t == null) continue;
            Map<Cid, Long> dagHeads = s.heads(t.dagName());
            if (dagHeads.containsKey(l)) continue;
            dagHeads.put(l, t.priority());
            s.txn.put(keys.head(t.dagName(), l), Keys.longBytes(t.priority()));
        }
    }

    /** What {@link #keepReachable} needs of a linked block: its DAG and height ({@link #NONE}: nothing to keep). */
    private record LinkTarget(String dagName, long priority) {
        static final LinkTarget NONE = new LinkTarget("", 0);
    }

    /**
     * The (key, id) pairs a covered block carried that the covering checkpoint does not restate; returns their
     * key and value bytes (about what their element rows take).
     */
    private static long deadElements(Block b, Set<String> restated, List<Element> dead) {
        Delta d = b.delta();
        String id = ElementId.of(b.cid());
        long bytes = 0;
        for (Element e : d.elements()) {
            if (!restated.contains(e.key() + '\0' + id)) {
                dead.add(Element.tombstone(e.key(), id));
                bytes += e.key().length() + id.length() + (e.value() == null ? 0 : e.value().length);
            }
        }
        if (d.checkpoint() != null) {
            for (CheckpointPart.Restated r : d.checkpoint().restated()) {
                String rid = ElementId.canonical(r.id());
                if (!restated.contains(r.key() + '\0' + rid)) {
                    dead.add(Element.tombstone(r.key(), rid));
                    bytes += r.key().length() + rid.length() + (r.value() == null ? 0 : r.value().length);
                }
            }
        }
        return bytes;
    }

    /**
     * The {@code key\0id} pairs restated by the lineage's checkpoint whose part 1 is at {@code first}, read
     * from its parts (held: a checkpoint does not cover itself); null if a part is missing.
     */
    private Set<String> restatedBy(KvStore store, byte[] lineage, long first) {
        Set<String> out = new HashSet<>();
        int prefixLen = keys.byLineage.length + lineage.length;
        int[] found = {0};
        int[] parts = {-1};
        store.scan(keys.heldPrefix(lineage), keys.heldFrom(lineage, first), (k, v) -> {
            long h = Keys.getLong(Arrays.copyOfRange(k, prefixLen, prefixLen + 8));
            if (Long.compareUnsigned(h, first) < 0) return true;
            if (parts[0] >= 0 && Long.compareUnsigned(h, first + parts[0]) >= 0) return false;
            Cid c = Cid.fromBytes(Arrays.copyOfRange(k, prefixLen + 8, k.length));
            Optional<byte[]> rec = store.get(keys.processed(c));
            if (rec.isEmpty()) return true;
            Delta d = Block.decodeHashed(c, Arrays.copyOfRange(rec.get(), 8, rec.get().length)).delta();
            CheckpointPart p = d.checkpoint();
            if (p == null || d.priority() - (p.part() - 1) != first) return true;
            parts[0] = p.parts();
            found[0]++;
            for (CheckpointPart.Restated r : p.restated()) out.add(r.key() + '\0' + ElementId.canonical(r.id()));
            return found[0] < p.parts();
        });
        return parts[0] > 0 && found[0] >= parts[0] ? out : null;
    }
}
