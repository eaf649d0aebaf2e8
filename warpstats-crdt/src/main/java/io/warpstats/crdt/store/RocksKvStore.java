package io.warpstats.crdt.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiPredicate;
import org.rocksdb.CompressionType;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB store: one column family (the default), the key spaces separated by prefixes (see
 * docs/crdt.md). Batches are RocksDB {@link WriteBatch}es (atomic, all or nothing, also across a
 * crash). The write-ahead log is always on; {@code syncWrites} adds an fsync per batch.
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
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    RocksKvStore(Path dir, boolean syncWrites) {
        try {
            Files.createDirectories(dir);
            options = new Options().setCreateIfMissing(true)
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setMaxBackgroundJobs(2)
                    .setWriteBufferSize(64L << 20)
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
        lock.readLock().lock();
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = openIterator(ro)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
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
        return new RocksBatch();
    }

    @Override
    public void write(Batch batch) {
        if (!(batch instanceof RocksBatch b)) throw new IllegalArgumentException("batch of another store");
        if (b.keys.isEmpty()) return;
        lock.readLock().lock();
        try (WriteBatch wb = new WriteBatch()) {
            open();
            for (int i = 0; i < b.keys.size(); i++) {
                byte[] v = b.values.get(i);
                if (v == null) wb.delete(b.keys.get(i));
                else wb.put(b.keys.get(i), v);
            }
            db.write(writeOptions, wb);
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB write failed: " + e.getMessage(), e);
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
            db.close();
            writeOptions.close();
            options.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Operations are kept on the Java side and copied into a native WriteBatch at write time, so
     * an abandoned batch leaks nothing native. Arrays are not copied: callers hand over ownership.
     */
    private static final class RocksBatch implements Batch {
        final List<byte[]> keys = new ArrayList<>();
        final List<byte[]> values = new ArrayList<>();

        @Override
        public void put(byte[] key, byte[] value) {
            keys.add(key);
            values.add(value);
        }

        @Override
        public void delete(byte[] key) {
            keys.add(key);
            values.add(null);
        }

        @Override
        public int size() {
            return keys.size();
        }
    }
}
