package io.warpstats.stats;

import java.util.Locale;

/** Where a read came from: the replicated CRDT (every node's counts) or this node's local database only. */
public enum Source {
    /** The replicated aggregates (every node's slots merged so far, plus this node's latest local counts). */
    CRDT,
    /**
     * Another node's replica: the post is in a shard this node does not follow, and a node that follows it
     * answered ({@link Shards}).
     */
    PEER,

    /** This node's local database only: the CRDT is not started, failed or shutting down. */
    LOCAL;

    /** {@code "crdt"} or {@code "local"}, as in JSON. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
