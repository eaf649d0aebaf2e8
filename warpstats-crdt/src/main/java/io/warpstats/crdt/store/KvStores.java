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
}
