package io.warpstats.crdt.store;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * A small ordered key/value store: byte keys in unsigned lexicographic order. Implementations:
 * RocksDB (the default) and in-memory (tests). Thread-safe.
 */
public interface KvStore extends AutoCloseable {

    Optional<byte[]> get(byte[] key);

    /** Whether {@code key} is present, without handing its value out. */
    default boolean contains(byte[] key) {
        return get(key).isPresent();
    }

    void put(byte[] key, byte[] value);

    void delete(byte[] key);

    /** Visits keys starting with {@code prefix} in order until the visitor returns false. */
    void scan(byte[] prefix, BiPredicate<byte[], byte[]> visitor);

    /**
     * Visits keys starting with {@code prefix} that are {@code >= from} in order until the visitor
     * returns false. The built-in stores seek to {@code from}, so the keys before it cost nothing;
     * this default (for wrappers) skips them one by one.
     */
    default void scan(byte[] prefix, byte[] from, BiPredicate<byte[], byte[]> visitor) {
        scan(prefix, (k, v) -> Arrays.compareUnsigned(k, from) < 0 || visitor.test(k, v));
    }

    /** A new empty batch; nothing is written until {@link #write}. */
    Batch newBatch();

    /** Applies every operation of {@code batch} atomically (and durably, for a persistent store). */
    void write(Batch batch);

    /**
     * The bytes this store occupies on disk: for RocksDB, the live SST files plus the write-ahead log
     * (what a backup copies and what compaction shrinks), read from the database, not estimated; 0 for a
     * store in memory.
     */
    long sizeOnDiskBytes();

    /**
     * The bytes a {@link #compact} may shrink: for RocksDB, its live SST files (deleted and overwritten rows stay in
     * them until a compaction drops them); without the write-ahead log, which a flush, not a compaction, empties.
     * The default: {@link #sizeOnDiskBytes()}.
     */
    default long compactableBytes() {
        return sizeOnDiskBytes();
    }

    /**
     * Rewrites the store's files so that deleted and overwritten keys stop taking space (RocksDB: a full manual
     * compaction, which also moves every key to the bottommost, ZSTD-compressed level); returns when done, true,
     * or as soon as {@link #cancelCompactions} or {@link #close} cancels it, false (the store is then as
     * consistent as before, only less compacted). Optional for a store: the default does nothing and returns true
     * (a store in memory frees a deleted key at once).
     */
    default boolean compact() {
        return true;
    }

    /**
     * Makes every {@link #compact} running now return soon with false; later calls run normally. {@link #close}
     * does this first, so a close never waits for a full compaction. The default does nothing.
     */
    default void cancelCompactions() {}

    @Override
    void close();

    /** Operations applied together by {@link KvStore#write}. */
    interface Batch {
        void put(byte[] key, byte[] value);

        void delete(byte[] key);

        /** Operations added so far. */
        int size();

        /**
         * Reads {@code key} through this batch: its own writes first, then the store. The batches
         * the engine hands to a {@code ChangeListener} support it, so a listener that updates an
         * aggregate twice in one batch sees its first update; other batches may throw
         * {@link UnsupportedOperationException}.
         */
        default Optional<byte[]> get(byte[] key) {
            throw new UnsupportedOperationException("this batch cannot read");
        }
    }
}
