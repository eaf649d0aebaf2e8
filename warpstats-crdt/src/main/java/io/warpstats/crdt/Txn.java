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
    private final HashMap<Key, byte[]> overlay;
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
         * 8 bytes per step (Arrays.hashCode goes byte by byte, and store keys are ~100–160 bytes),
         * mixed so that HashMap's low bits are spread.
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

    /**
     * A transaction whose reads of keys {@code cache} covers, when this transaction did not write
     * them, are answered by {@code cache} (which reads the store on a miss).
     */
    Txn(KvStore store, ValueCache cache) {
        this(store, cache, 0);
    }

    /** {@code expectedWrites}: a size hint (the overlay is sized for it: no rehashing while a large stage fills up). */
    Txn(KvStore store, ValueCache cache, int expectedWrites) {
        this.overlay = new HashMap<>(Math.max(16, Math.min(expectedWrites, 1 << 18) * 4 / 3 + 1));
        this.store = store;
        this.cache = cache;
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

    /** Run once this transaction is durable and the engine's mirrors are published; never if it fails. */
    private java.util.List<Runnable> afterCommit;

    /** Adds a task for {@link #runAfterCommit} (a view publishing in-memory state derived from its rows). */
    void afterCommit(Runnable task) {
        if (afterCommit == null) afterCommit = new java.util.ArrayList<>();
        afterCommit.add(task);
    }

    /** Runs the tasks of {@link #afterCommit} in order on the committing thread; one that throws does not stop the others. */
    void runAfterCommit() {
        if (afterCommit == null) return;
        for (Runnable r : afterCommit) {
            try {
                r.run();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Txn.class).error("a view's after-commit task failed", e);
            }
        }
        afterCommit = null;
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

    private static final java.util.Comparator<Map.Entry<Key, byte[]>> BY_KEY = (x, y) -> Arrays.compareUnsigned(x.getKey().b, y.getKey().b);

    /**
     * Sorts {@code es} by key in unsigned byte order, without comparing whole keys in the usual
     * case: store keys share long prefixes ({@code /CRDT/e//incr/likes/post-…}), so a comparison
     * sort spends most of its comparisons scanning the same leading bytes. Here: one counting pass on the byte after the prefix all
     * keys share (the key family), then per family the next 5 bytes after the family's own shared
     * prefix, packed with the entry's index into a long and sorted as primitives; entries equal in
     * those 5 bytes (keys of one CRDT key family, e.g. every {@code /likers/…} element) are sorted the
     * same way on the bytes after their own longer shared prefix, and small groups by insertion.
     */
    static void sortEntries(Map.Entry<Key, byte[]>[] es) {
        int n = es.length;
        if (n < 2) return;
        if (n >= 1 << 24) {
            Arrays.sort(es, BY_KEY);
            return;
        }
        byte[][] ks = new byte[n][];
        for (int i = 0; i < n; i++) ks[i] = es[i].getKey().b;
        int l0 = lcp(ks, null, 0, n, 0);
        // counting sort on the byte at l0 (a key that ends there first)
        int[] count = new int[258];
        for (byte[] k : ks) count[(k.length > l0 ? (k[l0] & 0xFF) + 1 : 0) + 1]++;
        for (int b = 1; b < 258; b++) count[b] += count[b - 1];
        int[] start = count.clone();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[count[ks[i].length > l0 ? (ks[i][l0] & 0xFF) + 1 : 0]++] = i;
        long[] packed = new long[n];
        for (int bucket = 0; bucket < 257; bucket++) {
            int lo = start[bucket], hi = start[bucket + 1];
            if (hi - lo > 1) sortRange(ks, order, lo, hi, l0, packed);
        }
        Map.Entry<Key, byte[]>[] copy = es.clone();
        for (int i = 0; i < n; i++) es[i] = copy[order[i]];
    }

    /**
     * Sorts {@code idx[lo..hi)} (indices into {@code ks}) by unsigned key order; those keys share their
     * first {@code from} bytes and are all at least that long. {@code packed} is scratch space over the same range.
     */
    private static void sortRange(byte[][] ks, int[] idx, int lo, int hi, int from, long[] packed) {
        if (hi - lo <= 16) {
            insertionSort(ks, idx, lo, hi, from);
            return;
        }
        int d = lcp(ks, idx, lo, hi, from);
        for (int j = lo; j < hi; j++) {
            byte[] k = ks[idx[j]];
            long c = 0;
            for (int x = 0; x < 5; x++) c = (c << 8) | (d + x < k.length ? k[d + x] & 0xFF : 0);
            packed[j] = ((c << 24) | (j - lo)) ^ Long.MIN_VALUE; // unsigned order of the 5 bytes as signed longs
        }
        Arrays.sort(packed, lo, hi);
        int[] before = Arrays.copyOfRange(idx, lo, hi);
        for (int j = lo; j < hi; j++) idx[j] = before[(int) (packed[j] & 0xFFFFFF)];
        // runs equal in the 5 bytes: on to the bytes after them (a key that ends inside them: a full comparison)
        int runStart = lo;
        long runKey = packed[lo] >>> 24;
        for (int j = lo + 1; j <= hi; j++) {
            long key = j < hi ? packed[j] >>> 24 : 0;
            if (j < hi && key == runKey) continue;
            if (j - runStart > 1) {
                boolean longEnough = true;
                for (int x = runStart; x < j && longEnough; x++) longEnough = ks[idx[x]].length >= d + 5;
                if (longEnough) sortRange(ks, idx, runStart, j, d + 5, packed);
                else insertionSort(ks, idx, runStart, j, d);
            }
            runStart = j;
            runKey = key;
        }
    }

    /** Insertion sort of {@code idx[lo..hi)} by unsigned key order, the keys sharing their first {@code from} bytes. */
    private static void insertionSort(byte[][] ks, int[] idx, int lo, int hi, int from) {
        if (hi - lo > 64) { // only a run of keys that end inside 5 equal bytes gets here this large: rare
            Integer[] run = new Integer[hi - lo];
            for (int x = 0; x < run.length; x++) run[x] = idx[lo + x];
            Arrays.sort(run, (x, y) -> Arrays.compareUnsigned(ks[x], ks[y]));
            for (int x = 0; x < run.length; x++) idx[lo + x] = run[x];
            return;
        }
        for (int i = lo + 1; i < hi; i++) {
            int v = idx[i];
            byte[] k = ks[v];
            int j = i - 1;
            while (j >= lo && Arrays.compareUnsigned(ks[idx[j]], from, ks[idx[j]].length, k, from, k.length) > 0) {
                idx[j + 1] = idx[j];
                j--;
            }
            idx[j + 1] = v;
        }
    }

    /** The length of the prefix the keys {@code ks[order[lo..hi)]} (order null: ks[lo..hi)) share, knowing they share {@code from} bytes. */
    private static int lcp(byte[][] ks, int[] order, int lo, int hi, int from) {
        byte[] f = ks[order == null ? lo : order[lo]];
        int l = f.length;
        for (int j = lo + 1; j < hi && l > from; j++) {
            byte[] k = ks[order == null ? j : order[j]];
            int m = Arrays.mismatch(f, from, l, k, from, Math.min(k.length, l));
            if (m >= 0) l = from + m;
        }
        return l;
    }
}
