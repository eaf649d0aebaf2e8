package io.warpstats.crdt;

/**
 * State derived from the replica's visible values and kept by the engine in the same atomic write as
 * the changes it derives from (a materialized aggregate, an index, a counter of members): after a
 * crash the view and the CRDT state are never out of step.
 *
 * <p>A view is registered on {@link MerkleCrdtBuilder#view} before the replica opens (opening resumes
 * interrupted walks, and a view registered later would miss their merges) and read through
 * {@link MerkleCrdt#view}. It owns the store keys that start with its {@link #name()} ("rows"); it can
 * write only those, and the engine refuses a name that overlaps the CRDT's namespace or another view.
 * A view's rows are a function of the visible state: a replica rebuilds them when their
 * {@link #version()} changes, so a view can be added to, or changed on, an existing store.
 *
 * <p>Concurrency: {@link #onChange} is called by the engine's single writer (under its write lock), in
 * merge order, for every change of a visible value under {@link #watchedPrefix()}, local or merged; it
 * must be fast, must not block, and must not call the replica's write methods.
 */
public interface MaterializedView {
    /** The prefix of this view's row keys in the store, for example {@code /stats/agg/}. Not empty. */
    String name();

    /** The CRDT keys this view derives from: only changes of keys with this prefix are passed ("" for all). */
    String watchedPrefix();

    /**
     * The version of this view's rows. When the replica opens and finds rows of another version (or none:
     * a new view, a store written before the view existed), it deletes them and rebuilds the view from the
     * visible state, replaying every watched key as {@code onChange(key, null, value)} before anything
     * else runs. Change it whenever what the rows mean changes.
     */
    default int version() {
        return 1;
    }

    /**
     * A key's visible value changed.
     *
     * @param key      the CRDT key, under {@link #watchedPrefix()}
     * @param oldValue the previous visible value, or {@code null} if the key was absent
     * @param newValue the new visible value, or {@code null} if the key is now absent
     * @param rows     this view's rows inside the atomic write: reads see the earlier writes of the same
     *                 write (several blocks are committed together), writes become durable with the change
     */
    void onChange(String key, byte[] oldValue, byte[] newValue, ViewRows rows);

    /** {@link MaterializedView#onChange} as a function. */
    @FunctionalInterface
    interface Updater {
        /** See {@link MaterializedView#onChange}. */
        void onChange(String key, byte[] oldValue, byte[] newValue, ViewRows rows);
    }

    /** A view named {@code name} over the keys under {@code watchedPrefix}, updated by {@code updater}. */
    static MaterializedView of(String name, String watchedPrefix, Updater updater) {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(watchedPrefix, "watchedPrefix");
        java.util.Objects.requireNonNull(updater, "updater");
        return new MaterializedView() {
            @Override public String name() { return name; }
            @Override public String watchedPrefix() { return watchedPrefix; }
            @Override public void onChange(String key, byte[] oldValue, byte[] newValue, ViewRows rows) {
                updater.onChange(key, oldValue, newValue, rows);
            }
            @Override public String toString() { return "view " + name; }
        };
    }
}
