package io.warpstats.crdt.store;

import java.nio.file.Path;

/** Factories of {@link KvStore}s. */
public final class KvStores {
    private KvStores() {}

    /** A new empty in-memory store (a {@code ConcurrentSkipListMap}); for tests. */
    public static KvStore inMemory() {
        return new MemoryKvStore();
    }

    /**
     * Opens (creating if needed) a RocksDB store in {@code dir} with the default durability:
     * every write goes to the write-ahead log before it returns, without fsync. A write survives
     * the death of the process (SIGKILL included) but the last few may be lost on a power cut.
     */
    public static KvStore rocksDb(Path dir) {
        return new RocksKvStore(dir, false);
    }

    /**
     * Opens a RocksDB store; with {@code syncWrites} every batch is fsynced before it returns
     * (durable across power loss, at the price of one fsync per write).
     */
    public static KvStore rocksDb(Path dir, boolean syncWrites) {
        return new RocksKvStore(dir, syncWrites);
    }

    /**
     * The bytes of the RocksDB write-ahead log files ({@code *.log}) in {@code dir}: with the live SST
     * files, what a RocksDB store occupies on disk. A file rotated away while listed counts as gone.
     */
    public static long writeAheadLogBytes(Path dir) {
        long wal = 0;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".log")) wal += java.nio.file.Files.size(f);
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // a log file rotated away while listed: counted as gone
        }
        return wal;
    }
}
