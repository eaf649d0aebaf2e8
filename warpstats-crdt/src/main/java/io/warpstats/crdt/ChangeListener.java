package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;

/**
 * The engine's internal hook for {@link MaterializedView}s ({@link ViewBinding}). Told of every change of a key's visible value, inside the atomic write that makes it: the
 * listener may add its own writes (a materialized aggregate, say) to {@code batch}, so that they
 * are durable exactly when the change is. Called by the thread that applies the block, under the
 * engine's write lock; must be fast and must not call back into the engine's write methods. Read
 * what you update through {@code batch.get}, never the store directly: one batch holds several
 * blocks (group commit), so the earlier changes of the same batch are not in the store yet.
 */
@FunctionalInterface
interface ChangeListener {
    /**
     * @param key      the key whose visible value changed
     * @param oldValue the previous visible value, or {@code null}
     * @param newValue the new visible value, or {@code null} if the key is now absent
     * @param batch    the atomic batch this change is part of
     */
    void onChange(String key, byte[] oldValue, byte[] newValue, KvStore.Batch batch);
}
