package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * One atomic write being prepared: an overlay of its own writes (the last write of each key),
 * turned into one store batch at {@link #commit}, so that reads inside the transaction (the
 * engine's, and the change listeners' through {@link KvStore.Batch#get}) see earlier writes of
 * the same transaction. Several blocks may share one transaction (group commit); {@link #mark}
 * and {@link #rollback} undo the writes of one block that failed half-way. Single-threaded.
 */
final class Txn implements KvStore.Batch {
    private static final byte[] DELETED = new byte[0];
    private static final byte[] ABSENT = new byte[0];
    private final KvStore store;
    private final TreeMap<byte[], byte[]> overlay = new TreeMap<>(Arrays::compareUnsigned);
    /** key → overlay value before the mark (ABSENT: none); null when no mark is set. */
    private TreeMap<byte[], byte[]> undo;
    private long bytes;

    Txn(KvStore store) {
        this.store = store;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        record(key, overlay.put(key, value));
        bytes += key.length + value.length;
    }

    @Override
    public void delete(byte[] key) {
        record(key, overlay.put(key, DELETED));
        bytes += key.length;
    }

    private void record(byte[] key, byte[] previous) {
        if (undo != null && !undo.containsKey(key)) undo.put(key, previous == null ? ABSENT : previous);
    }

    /** Starts recording what {@link #rollback} undoes. */
    void mark() {
        undo = new TreeMap<>(Arrays::compareUnsigned);
    }

    /** Stops recording (the writes since {@link #mark} are kept). */
    void unmark() {
        undo = null;
    }

    /** Undoes every write since {@link #mark}. */
    void rollback() {
        if (undo == null) return;
        undo.forEach((k, prev) -> {
            if (prev == ABSENT) overlay.remove(k);
            else overlay.put(k, prev);
        });
        undo = null;
    }

    /** Approximate bytes written so far. */
    long bytes() {
        return bytes;
    }

    @Override
    public int size() {
        return overlay.size();
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        return Optional.ofNullable(getOrNull(key));
    }

    byte[] getOrNull(byte[] key) {
        byte[] v = overlay.get(key);
        if (v == DELETED) return null;
        if (v != null) return v;
        return store.get(key).orElse(null);
    }

    boolean contains(byte[] key) {
        return getOrNull(key) != null;
    }

    /** Scans {@code prefix} as the store will look after this transaction. */
    void scan(byte[] prefix, BiPredicate<byte[], byte[]> visitor) {
        TreeMap<byte[], byte[]> merged = new TreeMap<>(Arrays::compareUnsigned);
        store.scan(prefix, (k, v) -> {
            merged.put(k, v);
            return true;
        });
        byte[] end = prefixEnd(prefix);
        Map<byte[], byte[]> sub = end == null ? overlay.tailMap(prefix, true) : overlay.subMap(prefix, true, end, false);
        for (Map.Entry<byte[], byte[]> e : sub.entrySet()) {
            if (e.getValue() == DELETED) merged.remove(e.getKey());
            else merged.put(e.getKey(), e.getValue());
        }
        for (Map.Entry<byte[], byte[]> e : merged.entrySet()) {
            if (!visitor.test(e.getKey(), e.getValue())) return;
        }
    }

    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return Arrays.copyOf(end, i + 1);
            }
        }
        return null;
    }

    void commit() {
        if (overlay.isEmpty()) return;
        KvStore.Batch batch = store.newBatch();
        for (Map.Entry<byte[], byte[]> e : overlay.entrySet()) {
            if (e.getValue() == DELETED) batch.delete(e.getKey());
            else batch.put(e.getKey(), e.getValue());
        }
        store.write(batch);
    }
}
