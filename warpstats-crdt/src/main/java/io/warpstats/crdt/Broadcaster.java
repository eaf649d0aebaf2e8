package io.warpstats.crdt;

/** Announces heads to other replicas (gossipsub in a node); best-effort, never blocks the engine. */
@FunctionalInterface
public interface Broadcaster {
    /** Sends a serialized CRDTBroadcast message. */
    void broadcast(byte[] crdtBroadcast);
}
