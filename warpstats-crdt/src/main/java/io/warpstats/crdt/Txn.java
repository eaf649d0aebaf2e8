package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * One atomic write being prepared: an overlay of its own writes (the last write of each key),
 * turned into one store batch at {@link #commit}, so that reads inside the transaction (the
 * engine's, and the change listeners' through {@link KvStore.Batch#get}) see earlier writes of
 * the same transaction. Several blocks may share one transaction (group commit); {@link #mark}
 * and {@link #rollback} undo the writes of one block that failed half-way. The overlay is a hash
 * map (point reads and writes are the hot path); {@link #scan} sorts the few overlay entries
 * under its prefix. Single-threaded.
 */
final class Txn implements KvStore.Batch {
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
    private static final byte[] DELETED = new byte[0];
    private static final byte[] ABSENT = new byte[0];
    private final KvStore store;
    /** A transaction being written to the store meanwhile (read through, never written), or null. */
    private Txn parent;
    private final HashMap<Key, byte[]> overlay = new HashMap<>();
    /**
     * Writes since the mark, as (key, overlay value before it (ABSENT: none)) pairs in write
     * order; null when no mark is set. A log, not a map: undone in reverse order it restores the
     * overlay exactly, duplicates included, and recording costs no hashing on the hot path.
     */
    private ArrayList<Object> undo;
    private long bytes;

    /** A read cache of committed values under this transaction (null: none). */
    private final ValueCache cache;

    /** A byte[] with value equality, for the hash maps. */
    static final class Key {
        final byte[] b;
        final int hash;
        Key(byte[] b) {
            this.b = b;
            this.hash = hash(b);
        }

        /**
         * 8 bytes per step (Arrays.hashCode goes byte by byte, ~7 % of the Java CPU of the cluster
         * benchmark: store keys are ~100–160 bytes), mixed so that HashMap's low bits are spread.
         */
        static int hash(byte[] b) {
            long h = 0x9E3779B97F4A7C15L ^ b.length;
            int i = 0;
            for (int n = b.length - 7; i < n; i += 8) {
                h = Long.rotateLeft(h ^ (long) LONGS.get(b, i) * 0xC2B2AE3D27D4EB4FL, 31) * 0x9E3779B97F4A7C15L;
            }
            for (; i < b.length; i++) h = (h ^ (b[i] & 0xFF)) * 0x100000001B3L;
            h ^= h >>> 33;
            h *= 0xFF51AFD7ED558CCDL;
            h ^= h >>> 33;
            return (int) h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.b, b);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    Txn(KvStore store) {
        this(store, null);
    }

    /** A transaction that reads through {@code parent} (a transaction whose batch is being written) to the store. */
    Txn(KvStore store, Txn parent) {
        this(store, parent, null);
    }

    /**
     * A transaction whose reads of keys {@code cache} covers, when neither this transaction nor
     * {@code parent} wrote them, are answered by {@code cache} (which reads the store on a miss).
     */
    Txn(KvStore store, Txn parent, ValueCache cache) {
        this.store = store;
        this.parent = parent;
        this.cache = cache;
    }

    /** The parent's batch is in the store: stop reading through it (bounds the chain to one). */
    void detach() {
        parent = null;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        put(new Key(key), value);
    }

    /** {@link #put(byte[], byte[])} with the key's hash computed already. */
    void put(Key k, byte[] value) {
        record(k, overlay.put(k, value));
        bytes += k.b.length + value.length;
    }

    @Override
    public void delete(byte[] key) {
        Key k = new Key(key);
        record(k, overlay.put(k, DELETED));
        bytes += key.length;
    }

    /**
     * Drops an earlier write of this transaction to {@code key} (neither put nor delete reaches
     * the store): for a key this transaction created and no longer wants, e.g. a head that a
     * later block of the same group commit replaced.
     */
    void forget(byte[] key) {
        Key k = new Key(key);
        byte[] prev = overlay.remove(k);
        if (prev != null) record(k, prev);
    }

    private void record(Key key, byte[] previous) {
        if (undo != null) {
            undo.add(key);
            undo.add(previous == null ? ABSENT : previous);
        }
    }

    /** Starts recording what {@link #rollback} undoes. */
    void mark() {
        undo = new ArrayList<>();
    }

    /** Stops recording (the writes since {@link #mark} are kept). */
    void unmark() {
        undo = null;
    }

    /** Undoes every write since {@link #mark}. */
    void rollback() {
        if (undo == null) return;
        for (int i = undo.size() - 2; i >= 0; i -= 2) {
            Key k = (Key) undo.get(i);
            byte[] prev = (byte[]) undo.get(i + 1);
            if (prev == ABSENT) overlay.remove(k);
            else overlay.put(k, prev);
        }
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
        return getOrNull(new Key(key));
    }

    /** {@link #getOrNull(byte[])} with the key's hash computed already. */
    byte[] getOrNull(Key k) {
        byte[] key = k.b;
        byte[] v = overlay.get(k);
        if (v == null && parent != null) v = parent.overlay.get(k);
        if (v == DELETED) return null;
        if (v != null) return v;
        if (cache != null && cache.covers(key)) return cache.read(k, store);
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
        List<Map.Entry<Key, byte[]>> mine = new ArrayList<>();
        if (parent != null) {
            for (Map.Entry<Key, byte[]> e : parent.overlay.entrySet()) {
                byte[] k = e.getKey().b;
                if (k.length >= prefix.length && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) mine.add(e);
            }
        }
        for (Map.Entry<Key, byte[]> e : overlay.entrySet()) {
            byte[] k = e.getKey().b;
            if (k.length >= prefix.length && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length)) mine.add(e);
        }
        for (Map.Entry<Key, byte[]> e : mine) {
            if (e.getValue() == DELETED) merged.remove(e.getKey().b);
            else merged.put(e.getKey().b, e.getValue());
        }
        for (Map.Entry<byte[], byte[]> e : merged.entrySet()) {
            if (!visitor.test(e.getKey(), e.getValue())) return;
        }
    }

    /** Hands every write of this transaction (value null: a delete) to {@code cache}: call once its batch is durable. */
    void publishTo(ValueCache cache) {
        Map.Entry<Key, byte[]>[] es = written != null ? written : entries();
        for (Map.Entry<Key, byte[]> e : es) cache.committed(e.getKey(), e.getValue() == DELETED ? null : e.getValue());
    }

    /** The entries {@link #commit} wrote (kept for {@link #publishTo}: an array walk instead of a hash-map walk). */
    private Map.Entry<Key, byte[]>[] written;

    @SuppressWarnings("unchecked")
    private Map.Entry<Key, byte[]>[] entries() {
        return overlay.entrySet().toArray(new Map.Entry[0]);
    }

    void commit() {
        if (overlay.isEmpty()) return;
        KvStore.Batch batch = store.newBatch();
        Map.Entry<Key, byte[]>[] es = entries();
        // in key order: RocksDB inserts a sorted batch into its memtable skiplist with far fewer cache misses
        sortEntries(es);
        for (Map.Entry<Key, byte[]> e : es) {
            if (e.getValue() == DELETED) batch.delete(e.getKey().b);
            else batch.put(e.getKey().b, e.getValue());
        }
        store.write(batch);
        written = es;
    }

    /** Sorts {@code es} by key in unsigned byte order. */
    static void sortEntries(Map.Entry<Key, byte[]>[] es) {
        Arrays.sort(es, (x, y) -> Arrays.compareUnsigned(x.getKey().b, y.getKey().b));
    }
}
