package io.warpstats.crdt.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The batch of both stores: operations in call order on the Java side (a value of null is a
 * delete), applied by the store that made it at write time. {@code copy}: keys and values are
 * cloned when added (the in-memory store, whose map keeps them); otherwise the caller hands the
 * arrays over (RocksDB copies them into its native batch at write time anyway). A batch belongs
 * to the store that made it; another store refuses it.
 */
final class OpsBatch implements KvStore.Batch {
    final List<byte[]> keys = new ArrayList<>();
    final List<byte[]> values = new ArrayList<>();
    private final KvStore owner;
    private final boolean copy;

    OpsBatch(KvStore owner, boolean copy) {
        this.owner = owner;
        this.copy = copy;
    }

    /** {@code batch} as a batch of {@code store}; throws if another store made it. */
    static OpsBatch of(KvStore store, KvStore.Batch batch) {
        if (!(batch instanceof OpsBatch b) || b.owner != store) throw new IllegalArgumentException("batch of another store");
        return b;
    }

    @Override
    public void put(byte[] key, byte[] value) {
        keys.add(copy ? key.clone() : key);
        values.add(copy ? value.clone() : value);
    }

    @Override
    public void delete(byte[] key) {
        keys.add(copy ? key.clone() : key);
        values.add(null);
    }

    @Override
    public int size() {
        return keys.size();
    }
}
