package io.warpstats.crdt;

/** Announces heads to other replicas (gossipsub in a node); best-effort, never blocks the engine. */
@FunctionalInterface
public interface Broadcaster {
    /** Sends an announcement (a receiver hands it, parsed, to {@link ReplicationPort#onBroadcast}). */
    void broadcast(CrdtBroadcast announcement);
}
