package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.multiformats.Cid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What this replica's next checkpoint restates, and when it writes one (docs/crdt.md, "Compaction").
 *
 * <h2>Content</h2>
 * The candidates are what this replica's own lineage (its author id and this store's epoch) wrote in the
 * blocks its last checkpoint does not cover: that checkpoint's restated elements and tombstones, and the
 * elements and tombstones of every own block written since. Of the elements, for each key the best one
 * that is still live (its {@code e/} row exists: not tombstoned) is restated with its id and priority;
 * an own element superseded by a later own element of the same key is not (the later one always wins
 * over it, and a delete of the key removes both on every replica that merged both). Of the tombstones,
 * those whose row is still held are repeated (a tombstone row goes only when its element's author
 * retires that element, {@link Reaper}). The work and memory are those of the lineage's live state.
 *
 * <h2>When</h2>
 * A checkpoint is <em>due</em> once the bytes of own blocks written since the last one reach the trigger,
 * max({@code minBytes}, the last checkpoint's size): the checkpoints' own cost stays at most the cost of
 * the writes they fold, and what a replica keeps of a lineage stays within about twice its live state.
 * A due checkpoint is written once the replica's local writes go quiet ({@link LocalWriter#QUIET}
 * without a flush), or at once when the bytes since the last one reach {@link #BUSY_FACTOR} times the
 * trigger. Every checkpoint restates the whole live state of the lineage and costs its author, and each
 * peer that merges it, about that much; under a sustained write rate on a small state the trigger comes
 * every few seconds, and the checkpoints, their merges on every peer and the reaps they start held a
 * 5-node cluster on 2 cores at saturation (docs/benchmarks.md, row 9). So a busy writer folds its
 * history {@link #BUSY_FACTOR} times less often, and the bound of twice the live state holds again as
 * soon as the writes pause. Also every {@code interval} if anything was written, and on
 * {@link MerkleCrdt#compact}.
 *
 * <p>Concurrency: {@link #content} runs under {@link GroupCommit}'s write lock (inside
 * {@link LocalWriter}'s flush lock); the counters are read and written under the flush lock.
 */
final class Checkpointer {
    private final Keys keys;
    private final CompactionOptions options;
    /** Bytes of own blocks written since the last checkpoint; guarded by the flush lock. */
    private long sinceLast;
    /** Bytes of the last checkpoint; guarded by the flush lock. */
    private long lastSize;

    Checkpointer(Keys keys, CompactionOptions options) {
        this.keys = keys;
        this.options = options;
    }

    /** While the replica keeps writing, a due checkpoint waits until the bytes since the last one reach this many triggers. */
    static final int BUSY_FACTOR = 4;

    /** What a local flush leaves to do. */
    enum Due {
        /** No checkpoint is due. */
        NOTHING,
        /** One is due: write it once the local writes go quiet. */
        WHEN_QUIET,
        /** One is due and the writes since the last one reached {@link #BUSY_FACTOR} triggers: write it now. */
        NOW
    }

    /** What a checkpoint restates: elements sorted by key, tombstones sorted by key and id. */
    record Content(List<CheckpointPart.Restated> restated, List<Element> tombstones) {}

    /** Counts the bytes of a local flush; says whether a checkpoint is due, and how soon. Caller holds the flush lock. */
    Due afterFlush(long bytes) {
        sinceLast += bytes;
        if (!due()) return Due.NOTHING;
        return sinceLast / BUSY_FACTOR >= trigger() ? Due.NOW : Due.WHEN_QUIET;
    }

    /** Whether a checkpoint is due (see the class comment). Caller holds the flush lock. */
    boolean due() {
        return options.enabled() && sinceLast >= trigger();
    }

    private long trigger() {
        return Math.max(options.checkpointMinBytes(), lastSize);
    }

    /** Whether anything was written since the last checkpoint. Caller holds the flush lock. */
    boolean anythingSince() {
        return sinceLast > 0;
    }

    /** Records a written checkpoint of {@code bytes}. Caller holds the flush lock. */
    void written(long bytes) {
        sinceLast = 0;
        lastSize = bytes;
    }

    /**
     * The content of the next checkpoint of {@code lineage} (see the class comment), read from the store.
     * Caller holds the write lock and committed the open stage.
     */
    Content content(KvStore store, byte[] lineage, long coveredBelow) {
        // key → candidate element ids in the order met: one id (a String, the usual case) or a LinkedHashSet
        // of them; a hash map sorted once at the end, not a tree map ordered on every insert. Keys in the order
        // first met: the last checkpoint's keys (sorted), then each block's (sorted), so the sort merges runs
        Map<String, Object> elementIds = new LinkedHashMap<>();
        Set<Element> tombs = new LinkedHashSet<>();
        int prefixLen = keys.byLineage.length + lineage.length;
        store.scan(keys.heldPrefix(lineage), keys.heldFrom(lineage, coveredBelow), (k, v) -> {
            Cid c = Cid.fromBytes(Arrays.copyOfRange(k, prefixLen + 8, k.length));
            Optional<byte[]> rec = store.get(keys.processed(c));
            if (rec.isEmpty()) return true;
            Delta d = Block.decodeHashed(c, Arrays.copyOfRange(rec.get(), 8, rec.get().length)).delta();
            String id = ElementId.of(c);
            for (Element e : d.elements()) candidate(elementIds, e.key(), id);
            for (Element t : d.tombstones()) tombs.add(Element.tombstone(t.key(), ElementId.canonical(t.id())));
            if (d.checkpoint() != null) {
                for (CheckpointPart.Restated r : d.checkpoint().restated()) candidate(elementIds, r.key(), ElementId.canonical(r.id()));
            }
            return true;
        });
        String[] sortedKeys = elementIds.keySet().toArray(new String[0]);
        Keys.sortUtf8(sortedKeys);
        List<CheckpointPart.Restated> restated = new ArrayList<>(sortedKeys.length);
        for (String key : sortedKeys) {
            Object ids = elementIds.get(key);
            String best = null;
            byte[] bestRec = null;
            for (String id : ids instanceof String one ? List.of(one) : asIds(ids)) {
                byte[] rec = store.get(keys.element(key, id)).orElse(null);
                if (rec != null && (bestRec == null || DeltaMerge.better(rec, bestRec))) {
                    best = id;
                    bestRec = rec;
                }
            }
            if (best != null) {
                restated.add(new CheckpointPart.Restated(key, best, Keys.getLong(bestRec), Arrays.copyOfRange(bestRec, 8, bestRec.length)));
            }
        }
        List<Element> held = new ArrayList<>();
        for (Element t : tombs) if (store.contains(keys.tombstone(t.key(), t.id()))) held.add(t);
        held.sort((a, b) -> {
            int c = Keys.UTF8_ORDER.compare(a.key(), b.key());
            return c != 0 ? c : a.id().compareTo(b.id());
        });
        return new Content(restated, held);
    }

    /** Adds {@code id} to the candidates of {@code key} (a set of ids in the order met, kept as one String while alone). */
    private static void candidate(Map<String, Object> elementIds, String key, String id) {
        Object cur = elementIds.putIfAbsent(key, id);
        if (cur == null || cur.equals(id)) return;
        if (cur instanceof String one) {
            Set<String> ids = new LinkedHashSet<>();
            ids.add(one);
            ids.add(id);
            elementIds.put(key, ids);
        } else {
            asIds(cur).add(id);
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String> asIds(Object ids) {
        return (Set<String>) ids;
    }

}
