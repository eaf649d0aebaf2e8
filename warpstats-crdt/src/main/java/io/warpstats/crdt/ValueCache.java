package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.util.Arrays;
import java.util.HashMap;

/**
 * The stored winning-value records ({@code v/} keys: priority ‖ value) of recently merged keys,
 * so that merging an element costs no store point read for a key seen lately (with Zipf-skewed
 * keys, nearly all of them). Every merged element reads its key's record (to compare with, and
 * for the change listeners); without this cache that is one or two RocksDB {@code get}s per
 * element on every replica.
 *
 * <p><b>Guarantee: an entry equals what the store holds for its key</b> (or says "absent" when
 * the store holds nothing). Why that holds, given how the engine writes:
 * <ul>
 *   <li>every write of a {@code v/} key goes through a {@link Txn} whose batch is committed under
 *       {@link GroupCommit}'s write lock and then handed to {@link #committed} under the same lock
 *       (nothing else writes {@code v/} keys: repair and the walk markers touch other prefixes);</li>
 *   <li>an entry is filled only by {@link #read}, from a transaction under that lock whose
 *       own writes were looked up first, so no write
 *       of that key can be in progress: the store value read is the committed one;</li>
 *   <li>a failed batch writes nothing (RocksDB batches are atomic) and is never passed to
 *       {@link #committed}: entries stay right. The cache lives in memory only; a reopened
 *       replica starts empty.</li>
 * </ul>
 * Bounded: emptied when full (a plain hash map: cheaper per merged element than an LRU, and a
 * refill costs one read per key). Not thread-safe: guarded by {@link GroupCommit}'s write lock.
 */
final class ValueCache {
    /** The marker of a key the store does not hold. */
    private static final byte[] ABSENT = new byte[0];
    private final byte[] prefix;
    private final int maxEntries;
    private final HashMap<Txn.Key, byte[]> entries;
    private long hits, misses;

    /**
     * @param prefix     the keys cached: those starting with it (the engine's {@code v/} prefix)
     * @param maxEntries entries kept at most
     */
    ValueCache(byte[] prefix, int maxEntries) {
        this.prefix = prefix.clone();
        this.maxEntries = maxEntries;
        this.entries = new HashMap<>(Math.min(maxEntries, 1 << 16) * 4 / 3 + 1);
    }

    /** Whether {@code key} is one this cache holds. */
    boolean covers(byte[] key) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /**
     * The stored record of {@code key} (a covered key), or null if the store holds none: from the
     * cache, else read from {@code store} and remembered. Caller holds GroupCommit's write lock and has checked
     * that no uncommitted write of {@code key} exists (see the class comment).
     */
    byte[] read(Txn.Key key, KvStore store) {
        byte[] v = entries.get(key);
        if (v != null) {
            hits++;
            return v == ABSENT ? null : v;
        }
        misses++;
        v = store.get(key.b).orElse(null);
        remember(key, v);
        return v;
    }

    /** A batch is durable: its writes of covered keys ({@code value} null: deleted) are the store's now. Caller holds GroupCommit's write lock. */
    void committed(Txn.Key key, byte[] value) {
        if (covers(key.b)) remember(key, value);
    }

    private void remember(Txn.Key key, byte[] value) {
        if (entries.size() >= maxEntries && !entries.containsKey(key)) entries.clear();
        entries.put(key, value == null ? ABSENT : value);
    }

    /** Reads answered from the cache (tests, diagnostics). */
    long hits() {
        return hits;
    }

    /** Reads that went to the store. */
    long misses() {
        return misses;
    }

    int size() {
        return entries.size();
    }
}
