package io.warpstats.crdt.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiPredicate;
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
        this(dir, syncWrites, o -> {});
    }

    /** With {@code tune} applied to the options before the open (tests: a rate limiter that slows compactions). */
    RocksKvStore(Path dir, boolean syncWrites, java.util.function.Consumer<Options> tune) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            options = KvStores.longLivedOptions().setMaxBackgroundJobs(2); // bloom filters for the misses: KvStores
            tune.accept(options);
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
        // the batch (OpsBatch, arrays handed over) stays on the Java side until now, so an abandoned one leaks nothing native
        OpsBatch b = OpsBatch.of(this, batch);
        if (b.keys.isEmpty()) return;
        lock.readLock().lock();
        try (WriteBatch wb = KvStores.writeBatch(b.keys, b.values)) { // one JNI copy instead of one call per key
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

    /** {@code rocksdb.live-sst-files-size}. */
    @Override
    public long compactableBytes() {
        lock.readLock().lock();
        try {
            open();
            return db.getLongProperty("rocksdb.live-sst-files-size");
        } catch (RocksDBException e) {
            throw new IllegalStateException("RocksDB size: " + e.getMessage(), e);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        synchronized (compacting) {
            closing = true; // no compaction starts any more
        }
        cancelCompactions();
        lock.writeLock().lock(); // waits for a cancelled compaction to return: RocksDB stops it within a few keys
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

    /*
     * Cancelling a compaction: RocksDB reads CompactRangeOptions' canceled flag (an atomic in the native options)
     * when the manual compaction starts and between the keys it compacts, and then returns Incomplete
     * ("manual compaction paused"). Every compact() registers its options in `compacting` before its native call;
     * close() first marks the store closing (so no compaction starts any more) and sets the flag of every registered
     * options object, then takes the write lock, which the cancelled call releases as it returns.
     */
    private final java.util.Set<CompactRangeOptions> compacting = new java.util.HashSet<>();
    private boolean closing; // guarded by compacting

    @Override
    public void cancelCompactions() {
        synchronized (compacting) {
            for (CompactRangeOptions c : compacting) c.setCanceled(true);
        }
    }

    /** Compactions running now (tests). */
    int runningCompactions() {
        synchronized (compacting) {
            return compacting.size();
        }
    }

    /**
     * Compacts the whole key range: every live key ends in the bottommost level, deleted and overwritten keys are
     * dropped. Not exclusive: RocksDB's own compactions go on meanwhile, so writers are not stalled behind it.
     * Returns false at once on a closing or closed store.
     */
    @Override
    public boolean compact() {
        lock.readLock().lock();
        try (CompactRangeOptions full = new CompactRangeOptions()
                .setCanceled(false) // installs the native flag now: RocksDB reads its address once, as the compaction starts
                .setExclusiveManualCompaction(false)
                .setBottommostLevelCompaction(CompactRangeOptions.BottommostLevelCompaction.kForce)) {
            synchronized (compacting) {
                if (closing) return false; // closing or closed: nothing to compact any more
                compacting.add(full);
            }
            try {
                db.compactRange(db.getDefaultColumnFamily(), null, null, full); // kForce: files moved down are rewritten too (ZSTD), not only renamed
                return true;
            } catch (RocksDBException e) {
                if (full.canceled()) return false;
                throw new IllegalStateException("RocksDB compaction failed: " + e.getMessage(), e);
            } finally {
                synchronized (compacting) {
                    compacting.remove(full);
                }
            }
        } finally {
            lock.readLock().unlock();
        }
    }
}
