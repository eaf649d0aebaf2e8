package io.warpstats.stats;

import io.warpstats.crdt.MaterializedView;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.ViewRows;
import java.util.Optional;

/**
 * The statistics' materialized view, registered on the engine ({@code MerkleCrdtBuilder.view}). Its rows,
 * under the store prefix {@value #NAME}:
 * <ul>
 *   <li>{@code agg/{stat}/{postId}}: the aggregate of each (stat, post) as four big-endian int64: Σincr,
 *       Σdecr over every slot, and this node's own incr and decr slot values (this incarnation) as merged.
 *       A slot whose visible value goes from old to new adds new − old, inside the engine's atomic write,
 *       so a read is one row whatever the number of nodes;</li>
 *   <li>{@code imported/{incarnation}}: the marker of the one-time migration of the local database into
 *       this incarnation's slots (written by {@link CrdtMirror}, never by {@link #onChange}).</li>
 * </ul>
 * Concurrency: {@link #onChange} runs on the engine's writer; {@link #read} on any thread.
 */
final class Aggregates implements MaterializedView {
    static final String NAME = "/stats/";
    static final String AGG = "agg/";
    static final String IMPORTED = "imported/";
    private final String nodeId;
    private final String incarnation;
    private final HotPosts hot;

    Aggregates(String nodeId, String incarnation, HotPosts hot) {
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.hot = hot;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Slot keys start with {@code /incr/} or {@code /decr/}; {@link SlotKey#parse} picks them out. */
    @Override
    public String watchedPrefix() {
        return "/";
    }

    static String row(Stat stat, String postId) {
        return AGG + stat.key() + "/" + postId;
    }

    @Override
    public void onChange(String key, byte[] oldValue, byte[] newValue, ViewRows rows) {
        Optional<SlotKey> parsed = SlotKey.parse(key);
        if (parsed.isEmpty()) {
            return;
        }
        SlotKey slot = parsed.get();
        long delta = Bytes.slotValue(newValue) - Bytes.slotValue(oldValue);
        if (delta == 0) {
            return;
        }
        String row = row(slot.stat(), slot.postId());
        // through the rows of this write, not the store: one write holds several blocks, and the
        // earlier changes of the same write are not in the store yet
        long[] agg = Bytes.longs(rows.get(row).orElse(null), 4);
        int i = slot.increment() ? 0 : 1;
        agg[i] += delta;
        if (slot.nodeId().equals(nodeId) && slot.incarnation().equals(incarnation)) {
            agg[i + 2] += delta;
        }
        rows.put(row, Bytes.longs(agg));
        hot.touch(slot.postId());
    }

    /** {Σincr, Σdecr, own incr, own decr}, or {@code null} if no slot of the post was ever merged. */
    long[] read(MerkleCrdt crdt, Stat stat, String postId) {
        byte[] v = crdt.view(this).get(row(stat, postId)).orElse(null);
        return v == null ? null : Bytes.longs(v, 4);
    }
}
