package io.warpstats.crdt;

import java.util.Optional;

/**
 * The rows of one {@link MaterializedView}: keys relative to the view's {@linkplain MaterializedView#name()
 * name}. Inside {@link MaterializedView#onChange} they belong to the engine's atomic write; from
 * {@link MerkleCrdt#view} they read the committed rows.
 */
public interface ViewRows {
    /** The row's value, if any. */
    Optional<byte[]> get(String row);

    /**
     * Writes a row. Inside {@code onChange}: part of the atomic write of the change. From
     * {@link MerkleCrdt#view}: one durable write of its own, for the view's bookkeeping (a migration
     * marker, say); it must not be a row that {@code onChange} also writes, or the two writers race.
     */
    void put(String row, byte[] value);

    /**
     * Runs {@code task} once the write holding these rows is durable and visible to readers (inside
     * {@code onChange}: after the engine's atomic write, on the committing thread, never if that write
     * fails; elsewhere: at once). For a view that keeps in-memory state derived from its rows, so that
     * the memory never runs ahead of the store.
     */
    void afterCommit(Runnable task);
}
