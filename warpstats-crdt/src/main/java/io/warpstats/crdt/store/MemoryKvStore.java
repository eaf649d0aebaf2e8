package io.warpstats.crdt.store;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiPredicate;

/**
 * In-memory store for tests. Batches are atomic for readers: a read lock guards reads, the
 * write lock guards batch application. A scan visitor must not write to the same store.
 */
final class MemoryKvStore implements KvStore {
    private final ConcurrentSkipListMap<byte[], byte[]> map = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private void open() {
        if (closed) throw new IllegalStateException("store closed");
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        lock.readLock().lock();
        try {
            open();
            byte[] v = map.get(key);
            return v == null ? Optional.empty() : Optional.of(v.clone());
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void put(byte[] key, byte[] value) {
        OpsBatch b = new OpsBatch(this, true);
        b.put(key, value);
        write(b);
    }

    @Override
    public void delete(byte[] key) {
        OpsBatch b = new OpsBatch(this, true);
        b.delete(key);
        write(b);
    }

    @Override
    public void scan(byte[] prefix, BiPredicate<byte[], byte[]> visitor) {
        scan(prefix, prefix, visitor);
    }

    @Override
    public void scan(byte[] prefix, byte[] from, BiPredicate<byte[], byte[]> visitor) {
        byte[] start = Arrays.compareUnsigned(from, prefix) > 0 ? from : prefix;
        lock.readLock().lock();
        try {
            open();
            for (Map.Entry<byte[], byte[]> e : map.tailMap(start, true).entrySet()) {
                byte[] k = e.getKey();
                if (!startsWith(k, prefix)) break;
                if (!visitor.test(k.clone(), e.getValue().clone())) break;
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    static boolean startsWith(byte[] k, byte[] prefix) {
        return k.length >= prefix.length && Arrays.equals(k, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public Batch newBatch() {
        return new OpsBatch(this, true);
    }

    @Override
    public void write(Batch batch) {
        OpsBatch b = OpsBatch.of(this, batch);
        lock.writeLock().lock();
        try {
            open();
            for (int i = 0; i < b.keys.size(); i++) {
                byte[] v = b.values.get(i);
                if (v == null) map.remove(b.keys.get(i));
                else map.put(b.keys.get(i), v);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public long sizeOnDiskBytes() {
        return 0;
    }
}
