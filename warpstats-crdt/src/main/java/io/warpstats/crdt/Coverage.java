package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.multiformats.Cid;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which blocks a replica's checkpoints cover (docs/crdt.md, "Compaction"): per <em>lineage</em> (an
 * author and the epoch of the store it wrote from), the height of part 1 of the latest checkpoint of
 * that lineage whose every part is merged. A block of lineage L at a height below L's coverage is
 * covered: its live content is restated by that checkpoint, so when it arrives late it is neither merged
 * nor kept, and the {@link Reaper} deletes it if it is held.
 *
 * <h2>Why a height per lineage is enough</h2>
 * An author's blocks of one epoch form a causal chain: each local block links to all heads of its
 * replica, and the previous local block is below one of them, so heights rise in the order the
 * blocks were written (arXiv 2004.00107, the Merkle-clock). A checkpoint written at height h therefore
 * came after every block of its lineage below h: it could restate all of them. A new epoch (a wiped
 * store, same key) starts a new chain, which the old checkpoints do not cover.
 *
 * <h2>Records</h2>
 * Each merged block of a lineage gets an index row {@code a/L h cid} (what the reaper scans); a part of a
 * checkpoint with several parts counts itself in {@code k/L h1}; the last part to arrive (in any order)
 * deletes that row and raises {@code c/L} to h1. All of it is written in the block's own stage, and
 * the in-memory mirror is published after the stage is durable ({@link #publish}).
 *
 * <p>Concurrency: the stage fields are touched under {@link GroupCommit}'s write lock; the mirror is a
 * concurrent map read without it.
 */
final class Coverage {
    private static final byte[] EMPTY = new byte[0];
    private final Keys keys;
    /** Lineage → height of part 1 of its latest complete checkpoint (0: none); the mirror of {@code c/}. */
    private final Map<Txn.Key, Long> committed = new ConcurrentHashMap<>();

    Coverage(KvStore store, Keys keys) {
        this.keys = keys;
        store.scan(keys.coverage, (k, v) -> {
            committed.put(new Txn.Key(Arrays.copyOfRange(k, keys.coverage.length, k.length)), Keys.getLong(v));
            return true;
        });
    }

    /** The lineage of a delta, or null if it has none (no epoch: a go-ds-crdt block or a foreign writer). */
    static byte[] lineageOf(Delta d) {
        if (d.epoch().length == 0 || d.author().length > 255) return null;
        return Keys.lineage(d.author(), d.epoch());
    }

    /** Height below which blocks of {@code lineage} are covered, as the store will hold it after the stage. */
    long coveredBelow(Stage s, byte[] lineage) {
        Txn.Key k = new Txn.Key(lineage);
        Long staged = s == null ? null : s.coverage.get(k);
        if (staged != null) return staged;
        return committed.getOrDefault(k, 0L);
    }

    /** The committed coverage of every lineage (a copy). */
    Map<Txn.Key, Long> snapshot() {
        return Map.copyOf(committed);
    }

    /**
     * Records a merged block of {@code lineage} in the stage: its index row and, for a checkpoint part, the
     * count of its checkpoint's parts (raising the lineage's coverage when the last one arrives). Writes
     * only through the stage's transaction (a failing merge rolls them back with its own); returns the
     * lineage's new coverage, which the caller records with {@link #raise} once nothing can fail, or 0 if
     * it did not rise.
     */
    long onApplied(Stage s, byte[] lineage, Cid cid, Delta d) {
        Txn txn = s.txn;
        txn.put(keys.held(lineage, d.priority(), cid), EMPTY);
        CheckpointPart part = d.checkpoint();
        if (part == null || Long.compareUnsigned(d.priority(), part.part()) < 0) return 0;
        long first = d.priority() - (part.part() - 1);
        if (part.parts() > 1) {
            byte[] pk = keys.partial(lineage, first);
            byte[] seen = txn.getOrNull(pk);
            int n = (seen == null || seen.length != 4 ? 0 : ((seen[0] & 0xFF) << 24 | (seen[1] & 0xFF) << 16 | (seen[2] & 0xFF) << 8 | (seen[3] & 0xFF))) + 1;
            if (n < part.parts()) {
                txn.put(pk, new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
                return 0;
            }
            txn.delete(pk);
        }
        if (first <= coveredBelow(s, lineage)) return 0;
        txn.put(keys.coverage(lineage), Keys.longBytes(first));
        return first;
    }

    /** Records in the stage a coverage {@link #onApplied} raised. */
    static void raise(Stage s, byte[] lineage, long first) {
        s.coverage.put(new Txn.Key(lineage), first);
    }

    /** Publishes a durable stage's coverage changes; true if any lineage's coverage rose. */
    boolean publish(Stage s) {
        if (s.coverage.isEmpty()) return false;
        committed.putAll(s.coverage);
        return true;
    }
}
