package io.warpstats.stats;

import io.warpstats.crdt.ChangeListener;
import io.warpstats.crdt.store.KvStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The materialized aggregate of each (stat, post), kept in the CRDT store under
 * {@code /stats/agg/{stat}/{postId}} as four big-endian int64: Σincr, Σdecr over every slot, and this
 * node's own incr and decr slot values (this incarnation) as merged. Updated by the change listener
 * inside the engine's atomic write: a slot whose visible value goes from old to new adds new − old.
 */
final class Aggregates implements ChangeListener {
    static final String PREFIX = "/stats/agg/";
    private final KvStore store;
    private final String nodeId;
    private final String incarnation;
    private final HotPosts hot;
    // aggregates written to the batch being built but not yet in the store (engine writer thread only)
    private final Map<String, long[]> overlay = new HashMap<>();
    private KvStore.Batch overlayBatch;
    private int overlayBatchSize;

    Aggregates(KvStore store, String nodeId, String incarnation, HotPosts hot) {
        this.store = store;
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.hot = hot;
    }

    static String key(Stat stat, String postId) {
        return PREFIX + stat.key() + "/" + postId;
    }

    @Override
    public void onChange(String key, byte[] oldValue, byte[] newValue, KvStore.Batch batch) {
        Optional<SlotKey> parsed = SlotKey.parse(key);
        if (parsed.isEmpty()) {
            return;
        }
        SlotKey slot = parsed.get();
        long delta = Bytes.slotValue(newValue) - Bytes.slotValue(oldValue);
        if (delta == 0) {
            return;
        }
        synchronized (this) {
            if (batch != overlayBatch || batch.size() < overlayBatchSize) {
                overlay.clear();
                overlayBatch = batch;
            }
            String aggKey = key(slot.stat(), slot.postId());
            // through the batch, not the store: the engine's batches are pipelined (the previous one
            // may still be being written), and only the batch reads through it
            long[] agg = overlay.computeIfAbsent(aggKey, k -> Bytes.longs(batch.get(Bytes.utf8(k)).orElse(null), 4));
            int i = slot.increment() ? 0 : 1;
            agg[i] += delta;
            if (slot.nodeId().equals(nodeId) && slot.incarnation().equals(incarnation)) {
                agg[i + 2] += delta;
            }
            batch.put(Bytes.utf8(aggKey), Bytes.longs(agg));
            overlayBatchSize = batch.size();
        }
        hot.touch(slot.postId());
    }

    /** {Σincr, Σdecr, own incr, own decr}, or {@code null} if no slot of the post was ever merged. */
    long @Nullable [] read(Stat stat, String postId) {
        byte[] v = store.get(Bytes.utf8(key(stat, postId))).orElse(null);
        return v == null ? null : Bytes.longs(v, 4);
    }
}
