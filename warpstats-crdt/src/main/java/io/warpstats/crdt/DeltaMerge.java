package io.warpstats.crdt;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The OR-set merge of one delta into a {@link Txn}: go-ds-crdt's {@code Merge}, the heart of the
 * CRDT's semantics (DESIGN.md "The Merkle-CRDT"). Tombstones first: each removes the element it
 * names and the key's winner is recomputed from the remaining elements; a tombstone whose element
 * has not arrived yet (a top-down walk meets the delete before the add) is remembered in the T/
 * index, so the element is dropped when its block is merged. Then elements: each is stored under
 * {@code e/key\0id} and replaces the key's winner if it is {@link #better}. The change listeners
 * see every key whose winning value changed, inside the same transaction. A checkpoint's restated
 * elements are added under their original ids unless a tombstone of that id is held; {@link #reap}
 * removes the elements a checkpoint no longer restates.
 *
 * <p>Invariants: the merge only writes through {@code txn} (the caller commits or rolls back as a
 * whole); the result does not depend on the order in which blocks are merged (add-wins, highest
 * priority, then the larger value). Not thread-safe: {@link GroupCommit} calls it under its write lock.
 */
final class DeltaMerge {
    private static final byte[] EMPTY = new byte[0];
    private final Keys keys;
    private final List<ChangeListener> listeners;
    private final Function<String, Set<String>> earlyKeys;
    private final Predicate<String> mayStillArrive;
    private final Predicate<String> committedBlock;

    /**
     * @param listeners      the engine's live listener list (read at every merge)
     * @param earlyKeys      block id → keys of its elements already tombstoned (the T/ index, staged view)
     * @param mayStillArrive block id → whether that block may still be merged (a valid CID not processed)
     * @param committedBlock block id → whether that block is processed and committed in the store (not reaped)
     */
    DeltaMerge(Keys keys, List<ChangeListener> listeners, Function<String, Set<String>> earlyKeys,
               Predicate<String> mayStillArrive, Predicate<String> committedBlock) {
        this.keys = keys;
        this.listeners = listeners;
        this.earlyKeys = earlyKeys;
        this.mayStillArrive = mayStillArrive;
        this.committedBlock = committedBlock;
    }

    /**
     * go-ds-crdt's Merge: tombstones first, then elements ({@code id} = {@link ElementId#of} the block). A
     * tombstone's id is taken in its {@linkplain ElementId#canonical canonical} form, so tombstones of
     * blocks written before ids took go-ds-crdt's form still remove what they named. {@code remote} false:
     * a block this replica just wrote; the restated elements of its own checkpoint are then already in
     * {@code txn} exactly as restated and are not merged again.
     */
    void merge(Txn txn, String id, Delta d, boolean remote, List<String[]> earlyAdded) {
        // the listeners' before-values, keyed by the v/ key (hash computed once, reused for the after-read)
        int restated = d.checkpoint() == null ? 0 : d.checkpoint().restated().size();
        Map<Txn.Key, Before> before = listeners.isEmpty() ? null
                : new HashMap<>((d.elements().size() + restated) * 4 / 3 + 1 + d.tombstones().size() * 2);
        Set<String> recompute = new HashSet<>();
        for (Element t : d.tombstones()) {
            remember(txn, before, t.key());
            String tid = ElementId.canonical(t.id());
            txn.put(keys.tombstone(t.key(), tid), EMPTY);
            byte[] ek = keys.element(t.key(), tid);
            if (txn.contains(ek)) {
                txn.delete(ek);
                recompute.add(t.key());
            } else if (!earlyKeys.apply(tid).contains(t.key()) && mayStillArrive.test(tid)) {
                // the delete came first (top-down walk): remember it for the block that carries the element
                txn.put(keys.early(tid, t.key()), EMPTY);
                earlyAdded.add(new String[] {tid, t.key()});
            }
        }
        recompute(txn, recompute);
        byte[] idBytes = Keys.bytes(id);
        Set<String> early = remote ? earlyKeys.apply(id) : Set.of();
        for (Element e : d.elements()) {
            String k = e.key();
            if (!early.isEmpty() && early.contains(k)) continue; // tombstoned before it arrived
            byte[] kb = Keys.bytes(k);
            add(txn, before, k, kb, keys.elementOf(kb, idBytes), Keys.prioValue(d.priority(), e.value()));
        }
        if (restated > 0 && remote) {
            // a checkpoint restates elements under their original ids: idempotent with the blocks that first
            // carried them, and a tombstone of such an id (held, or early) still removes it.
            // Not for this replica's own checkpoint (remote false): LocalWriter builds it from this store under
            // the same write lock (Checkpointer.content: each restated element is a live e/ row, with that
            // very record), so the merge would only rewrite identical rows, O(live state) per checkpoint.
            // An element already held with the very record restated (merged from the block that first carried it,
            // the usual case) is skipped with one read: its row, and so its key's winner, are already what the merge
            // would write, and it is not tombstoned (a tombstone deletes the element row).
            // Cheaper still, without a read per element: an element whose block is committed here. Merging that block
            // stored each of its elements (or its tombstone was held, then or since), only a reap of the block's
            // lineage removes elements of it, and the reap deletes the block too; an honest author restates an element
            // with the record its block carried. A checkpoint restates its author's live elements from the few blocks
            // that last wrote each key, so this is one store lookup per block, not one per element.
            Map<String, Boolean> blockHere = new HashMap<>();
            for (CheckpointPart.Restated r : d.checkpoint().restated()) {
                String rid = ElementId.canonical(r.id());
                if (blockHere.computeIfAbsent(rid, committedBlock::test)) continue;
                byte[] kb = Keys.bytes(r.key());
                byte[] ek = keys.elementOf(kb, Keys.bytes(rid));
                byte[] rec = Keys.prioValue(r.priority(), r.value());
                if (Arrays.equals(txn.getOrNull(ek), rec)) continue;
                if (txn.contains(keys.tombstone(r.key(), rid)) || earlyKeys.apply(rid).contains(r.key())) continue;
                add(txn, before, r.key(), kb, ek, rec);
            }
        }
        notifyChanges(txn, before);
    }

    /**
     * Removes elements a checkpoint of their author no longer restates (docs/crdt.md, "Compaction"): each
     * {@code (key, id)} loses its element row and any tombstone row of it (nothing can bring that element back:
     * its block and every earlier checkpoint are covered, later checkpoints do not restate it), and the key's
     * winner is recomputed; the listeners see every visible change, as for a merge.
     */
    void reap(Txn txn, List<Element> dead) {
        Map<Txn.Key, Before> before = listeners.isEmpty() ? null : new HashMap<>();
        Set<String> recompute = new HashSet<>();
        for (Element x : dead) {
            byte[] ek = keys.element(x.key(), x.id());
            byte[] rec = txn.getOrNull(ek);
            if (rec == null) { // tombstoned (or never held): its tombstone row, if any, goes
                txn.delete(keys.tombstone(x.key(), x.id()));
                continue;
            }
            txn.delete(ek); // an element row and a tombstone row of one id are never both held: no tombstone to delete
            // the usual case: a superseded element, not the winner; only removing the winner changes the key
            byte[] winner = txn.getOrNull(keys.value(x.key()));
            if (winner == null || !Arrays.equals(winner, rec)) continue;
            remember(txn, before, x.key());
            recompute.add(x.key());
        }
        recompute(txn, recompute);
        notifyChanges(txn, before);
    }

    /** The hot path of a merge: stores an element and makes it the key's winner if {@link #better}. */
    private void add(Txn txn, Map<Txn.Key, Before> before, String k, byte[] kb, byte[] elementKey, byte[] rec) {
        // the key's bytes and its v/ key are built and hashed once per element
        Txn.Key vk = new Txn.Key(keys.valueOf(kb));
        byte[] cur = txn.getOrNull(vk);
        if (before != null) before.putIfAbsent(vk, new Before(k, cur));
        txn.put(elementKey, rec);
        if (cur == null || better(rec, cur)) txn.put(vk, rec);
    }

    /** Recomputes the winner of each key from its remaining elements. */
    private void recompute(Txn txn, Set<String> ks) {
        for (String k : ks) {
            byte[][] best = new byte[1][];
            txn.scan(keys.elementPrefix(k), (sk, sv) -> {
                if (best[0] == null || better(sv, best[0])) best[0] = sv;
                return true;
            });
            if (best[0] == null) txn.delete(keys.value(k));
            else txn.put(keys.value(k), best[0]);
        }
    }

    /** Calls the listeners for every key whose visible value differs from its before-value. */
    private void notifyChanges(Txn txn, Map<Txn.Key, Before> before) {
        if (before == null) return;
        for (Map.Entry<Txn.Key, Before> b : before.entrySet()) {
            byte[] oldRec = b.getValue().record;
            byte[] newRec = txn.getOrNull(b.getKey());
            if (oldRec == newRec) continue; // not written (the usual loser): unchanged
            byte[] oldV = oldRec == null ? null : Arrays.copyOfRange(oldRec, 8, oldRec.length);
            byte[] newV = newRec == null ? null : Arrays.copyOfRange(newRec, 8, newRec.length);
            if (Arrays.equals(oldV, newV)) continue;
            for (ChangeListener l : listeners) l.onChange(b.getValue().key, oldV, newV, txn);
        }
    }

    /** A key's winning record before a merge (null: none), for the change listeners. */
    private record Before(String key, byte[] record) {}

    private void remember(Txn txn, Map<Txn.Key, Before> before, String k) {
        if (before == null) return;
        Txn.Key vk = new Txn.Key(keys.value(k));
        if (!before.containsKey(vk)) before.put(vk, new Before(k, txn.getOrNull(vk)));
    }

    /** Higher priority wins; on a tie the larger value (unsigned bytes). Records are prio ‖ value. */
    static boolean better(byte[] a, byte[] b) {
        long pa = Keys.getLong(a), pb = Keys.getLong(b);
        if (pa != pb) return Long.compareUnsigned(pa, pb) > 0;
        return Arrays.compareUnsigned(a, 8, a.length, b, 8, b.length) > 0;
    }
}
