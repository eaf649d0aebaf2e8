package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * One atomic write being prepared: a store batch plus an overlay of its own writes, so that
 * reads inside the transaction (the engine's, and the change listeners' through
 * {@link KvStore.Batch#get}) see earlier writes of the same transaction. Single-threaded.
 */
final class Txn implements KvStore.Batch {
    private static final byte[] DELETED = new byte[0];
    private final KvStore store;
    private final KvStore.Batch batch;
    private final TreeMap<byte[], byte[]> overlay = new TreeMap<>(Arrays::compareUnsigned);

    Txn(KvStore store) {
        this.store = store;
        this.batch = store.newBatch();
    }

    @Override
    public void put(byte[] key, byte[] value) {
        overlay.put(key, value);
        batch.put(key, value);
    }

    @Override
    public void delete(byte[] key) {
        overlay.put(key, DELETED);
        batch.delete(key);
    }

    @Override
    public int size() {
        return batch.size();
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
        store.write(batch);
    }
}
