package io.warpstats.stats;

import io.warpstats.crdt.store.KvStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiPredicate;
import org.jspecify.annotations.Nullable;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The local database: a RocksDB instance of its own, string keys (UTF-8; every id is ASCII so byte
 * order is string order). Batches are written atomically and synced. The key layout is in
 * {@code docs/architecture.md} ("Storage"). Thread-safe.
 *
 * <p>The number of outbox keys ({@link LocalKeys#OUTBOX}) is kept exact without a scan: counted once at open,
 * then every batch that puts or deletes one is written under one lock together with a point read of each
 * outbox key it touches (was it there?), and the count moves by what the batch added and removed. Batches
 * without an outbox key (the write path while the CRDT works) take neither the lock nor the reads.
 */
final class LocalDb implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final RocksDB db;
    private final Options options;
    private final WriteOptions sync = new WriteOptions().setSync(true);
    private final Path dir;
    // every operation holds the read lock and checks `closed`; close takes the write lock: no native call
    // touches a freed handle (a read racing a node's shutdown gets STORAGE, not a crash of the JVM)
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lock
    private final Object outboxLock = new Object();
    /** Keys under {@link LocalKeys#OUTBOX}; written under {@link #outboxLock}. */
    private volatile long outboxKeys;

    /** Takes the read lock; throws STORAGE (and holds nothing) once closed. */
    private void enter() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new StatsException(StatsException.Problem.STORAGE, "the local database is closed");
        }
    }

    private void leave() {
        lock.readLock().unlock();
    }

    /** Live SST files plus write-ahead log of the local database, in bytes. */
    long sizeOnDiskBytes() {
        enter();
        try {
            return db.getLongProperty("rocksdb.live-sst-files-size") + KvStores.writeAheadLogBytes(dir);
        } catch (RocksDBException e) {
            throw new StatsException(StatsException.Problem.STORAGE, "local database size: " + e.getMessage());
        } finally {
            leave();
        }
    }

    private LocalDb(RocksDB db, Options options, Path dir) {
        this.db = db;
        this.options = options;
        this.dir = dir;
    }

    static LocalDb open(Path dir) {
        Options options = KvStores.longLivedOptions(); // compression, the WAL bound (docs/stats.md, "Storage")
        try {
            Files.createDirectories(dir);
            LocalDb d = new LocalDb(RocksDB.open(options, dir.toString()), options, dir);
            try {
                d.outboxKeys = d.count(LocalKeys.OUTBOX);
            } catch (RuntimeException e) {
                d.close();
                throw e;
            }
            return d;
        } catch (Exception e) {
            options.close();
            throw new StatsException(StatsException.Problem.STORAGE,
                    "cannot open the local database in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The value of {@code key}, or null when absent. */
    byte @Nullable [] get(String key) {
        enter();
        try {
            return db.get(Bytes.utf8(key));
        } catch (RocksDBException e) {
            throw failure("read", e);
        } finally {
            leave();
        }
    }

    long getLong(String key) {
        return Bytes.u64(get(key));
    }

    /**
     * A consistent copy of the database as it is at this instant in the new directory {@code target} (RocksDB's
     * checkpoint: hard links to the table files plus a copy of the write-ahead log): what a crash right now would
     * leave on disk. Tests open it as a node restarting after a SIGKILL.
     */
    void checkpoint(Path target) {
        enter();
        try (org.rocksdb.Checkpoint cp = org.rocksdb.Checkpoint.create(db)) {
            cp.createCheckpoint(target.toString());
        } catch (RocksDBException e) {
            throw failure("checkpoint", e);
        } finally {
            leave();
        }
    }

    /** A new batch; nothing is written until {@link #write}. */
    Batch batch() {
        return new Batch();
    }

    /** Writes {@code batch} atomically and durably (synced). */
    void write(Batch batch) {
        if (batch.size() == 0) {
            return;
        }
        enter();
        try (WriteBatch wb = KvStores.writeBatch(batch.keys, batch.values)) {
            if (batch.outbox.isEmpty()) {
                db.write(sync, wb);
                return;
            }
            synchronized (outboxLock) { // no other batch changes an outbox key between the reads and the write
                long delta = 0;
                for (Map.Entry<String, Boolean> e : batch.outbox.entrySet()) {
                    boolean was = db.get(Bytes.utf8(e.getKey())) != null;
                    delta += (e.getValue() ? 1 : 0) - (was ? 1 : 0);
                }
                db.write(sync, wb);
                outboxKeys += delta;
            }
        } catch (RocksDBException e) {
            throw failure("write", e);
        } finally {
            leave();
        }
    }

    /** How many outbox keys ({@link LocalKeys#OUTBOX}) the database holds; O(1), exact after every write. */
    long outboxKeys() {
        return outboxKeys;
    }

    /** How many keys start with {@code prefix}: one scan, O(keys under it). */
    long count(String prefix) {
        long[] n = {0};
        scan(prefix, null, (k, v) -> {
            n[0]++;
            return true;
        });
        return n[0];
    }

    /**
     * Visits the keys that start with {@code prefix} and sort after {@code prefix + startAfter}
     * ({@code null}: from the first), in order, until the visitor returns false.
     */
    void scan(String prefix, @Nullable String startAfter, BiPredicate<String, byte[]> visitor) {
        byte[] p = Bytes.utf8(prefix);
        enter();
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
            if (startAfter == null) {
                it.seek(p);
            } else {
                byte[] start = Bytes.utf8(prefix + startAfter);
                it.seek(start);
                if (it.isValid() && java.util.Arrays.equals(it.key(), start)) {
                    it.next();
                }
            }
            for (; it.isValid(); it.next()) {
                byte[] k = it.key();
                if (!startsWith(k, p) || !visitor.test(Bytes.str(k), it.value())) {
                    return;
                }
            }
        } finally {
            leave();
        }
    }

    private static boolean startsWith(byte[] k, byte[] p) {
        if (k.length < p.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (k[i] != p[i]) {
                return false;
            }
        }
        return true;
    }

    private static StatsException failure(String op, RocksDBException e) {
        return new StatsException(StatsException.Problem.STORAGE, "the local database failed to " + op + ": "
                + e.getMessage(), e);
    }

    @Override
    public void close() {
        lock.writeLock().lock(); // waits for the operations in progress; later ones get STORAGE
        try {
            if (closed) {
                return;
            }
            closed = true;
            KvStores.flushQuietly(db); // a graceful close leaves no write-ahead log
            db.close();
            sync.close();
            options.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Operations written together, kept on the Java side until {@link #write} (one JNI copy for the whole batch). */
    static final class Batch {
        private final List<byte[]> keys = new ArrayList<>();
        private final List<byte @Nullable []> values = new ArrayList<>();
        /** The outbox keys this batch touches → whether its last operation on each puts it (false: deletes it). */
        private final Map<String, Boolean> outbox = new HashMap<>();

        Batch put(String key, byte[] value) {
            keys.add(Bytes.utf8(key));
            values.add(Objects.requireNonNull(value, "value"));
            if (key.startsWith(LocalKeys.OUTBOX)) outbox.put(key, true);
            return this;
        }

        Batch putLong(String key, long value) {
            return put(key, Bytes.u64(value));
        }

        Batch delete(String key) {
            keys.add(Bytes.utf8(key));
            values.add(null);
            if (key.startsWith(LocalKeys.OUTBOX)) outbox.put(key, false);
            return this;
        }

        int size() {
            return keys.size();
        }
    }
}
