package io.warpstats.crdt.store;

import io.warpstats.multiformats.Varint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiPredicate;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompactRangeOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB store: one column family (the default), the key spaces separated by prefixes (see
 * docs/architecture.md, "Storage"). Batches are RocksDB {@link WriteBatch}es (atomic, all or nothing, also across a
 * crash). The write-ahead log is always on; {@code syncWrites} adds an fsync per batch. Settings for a long-lived
 * store: {@link KvStores#longLivedOptions()} (compression, the WAL bound). A close flushes the memtable first, so
 * a store closed gracefully leaves no write-ahead log to replay and occupies its compressed SST files only.
 *
 * <p>Close safety: every operation holds a read lock and checks {@code closed}; {@link #close}
 * takes the write lock, so no native call runs on a closed handle (which would crash the JVM).
 * Operations after close throw {@link IllegalStateException}; close is idempotent.
 */
final class RocksKvStore implements KvStore {
    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final Path dir;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    RocksKvStore(Path dir, boolean syncWrites) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            options = KvStores.longLivedOptions()
                    .setMaxBackgroundJobs(2)
                    // most point reads of the engine are misses (is this block processed? a tombstone for this element?):
                    // bloom filters answer them without searching the memtable skiplist or reading SST blocks
                    .setMemtablePrefixBloomSizeRatio(0.02)
                    .setMemtableWholeKeyFiltering(true)
                    .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false)));
            writeOptions = new WriteOptions().setSync(syncWrites).setDisableWAL(false);
            db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException | java.io.IOException e) {
            throw new IllegalStateException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
        }
    }

    private void open() {
        if (closed) throw new IllegalStateException("store closed");
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        lock.readLock().lock();
        try {
            open();
            return Optional.ofNullable(db.get(key));
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB get failed: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    private static final byte[] NO_VALUE = new byte[0];

    @Override
    public boolean contains(byte[] key) {
        lock.readLock().lock();
        try {
            open();
            return db.get(key, NO_VALUE) != RocksDB.NOT_FOUND; // copies nothing into the Java heap
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB get failed: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void put(byte[] key, byte[] value) {
        lock.readLock().lock();
        try {
            open();
            db.put(writeOptions, key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB put failed: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void delete(byte[] key) {
        lock.readLock().lock();
        try {
            open();
            db.delete(writeOptions, key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB delete failed: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void scan(byte[] prefix, BiPredicate<byte[], byte[]> visitor) {
        scan(prefix, prefix, visitor);
    }

    @Override
    public void scan(byte[] prefix, byte[] from, BiPredicate<byte[], byte[]> visitor) {
        byte[] start = Arrays.compareUnsigned(from, prefix) > 0 ? from : prefix;
        lock.readLock().lock();
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = openIterator(ro)) {
            for (it.seek(start); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (!MemoryKvStore.startsWith(k, prefix)) break;
                if (!visitor.test(k, it.value())) break;
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    private RocksIterator openIterator(ReadOptions ro) {
        open();
        return db.newIterator(ro);
    }

    @Override
    public Batch newBatch() {
        return new OpsBatch(this, false);
    }

    @Override
    public void write(Batch batch) {
        OpsBatch b = OpsBatch.of(this, batch);
        if (b.keys.isEmpty()) return;
        lock.readLock().lock();
        try (WriteBatch wb = new WriteBatch(serialize(b))) { // one JNI copy instead of one call per key
            open();
            db.write(writeOptions, wb);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB write failed: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** {@code rocksdb.live-sst-files-size} plus the write-ahead log files ({@code *.log}) of the directory. */
    @Override
    public long sizeOnDiskBytes() {
        lock.readLock().lock();
        try {
            open();
            return db.getLongProperty("rocksdb.live-sst-files-size") + KvStores.writeAheadLogBytes(dir);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB size: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) return;
            closed = true;
            KvStores.flushQuietly(db);
            db.close();
            writeOptions.close();
            options.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Compacts the whole key range: every live key ends in the bottommost level, deleted keys are dropped. */
    @Override
    public void compact() {
        lock.readLock().lock();
        try (CompactRangeOptions full = new CompactRangeOptions()
                .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
            open();
            db.compactRange(db.getDefaultColumnFamily(), null, null, full); // kForce: files moved down are rewritten too (ZSTD), not only renamed
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB compaction failed: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /*
     * Batches (OpsBatch, arrays handed over, not copied) stay on the Java side until the write,
     * so an abandoned batch leaks nothing native; the write copies one serialized batch.
     */

    /**
     * RocksDB's WriteBatch representation ({@code db/write_batch.cc}, stable on-disk/WAL format):
     * 8-byte sequence (0, set by the write), 4-byte little-endian count, then per record
     * {@code kTypeValue(1) varint32(klen) key varint32(vlen) value} or {@code kTypeDeletion(0) varint32(klen) key}.
     */
    static byte[] serialize(OpsBatch b) {
        int n = 12; // exact: the array goes to RocksDB as it is, no trailing copy
        for (int i = 0; i < b.keys.size(); i++) {
            byte[] k = b.keys.get(i), v = b.values.get(i);
            n += 1 + Varint.size(k.length) + k.length + (v == null ? 0 : Varint.size(v.length) + v.length);
        }
        byte[] r = new byte[n];
        int c = b.keys.size(), p = 8;
        r[p++] = (byte) c;
        r[p++] = (byte) (c >>> 8);
        r[p++] = (byte) (c >>> 16);
        r[p++] = (byte) (c >>> 24);
        for (int i = 0; i < c; i++) {
            byte[] k = b.keys.get(i), v = b.values.get(i);
            r[p++] = (byte) (v == null ? 0 : 1);
            p = Varint.write(k.length, r, p);
            System.arraycopy(k, 0, r, p, k.length);
            p += k.length;
            if (v != null) {
                p = Varint.write(v.length, r, p);
                System.arraycopy(v, 0, r, p, v.length);
                p += v.length;
            }
        }
        return r;
    }
}
