package io.warpstats.replication;

import io.warpstats.multiformats.Cid;
import io.warpstats.p2p.PeerId;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which peer supplied each block recently handed to the engine, so a rejection that the engine
 * reports later (its parallel signature check runs after the sink returned) can be charged to the
 * sender. Bounded: the oldest entries are forgotten beyond {@code max} (a rejection that late
 * penalizes nobody). Each entry is taken at most once, so a block is charged once whichever path
 * reports it first (the sink's exception or the engine's {@code onRejected}). Thread-safe.
 */
final class BlockSuppliers {
    private final Map<Cid, PeerId> byCid;

    BlockSuppliers(int max) {
        this.byCid = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Cid, PeerId> e) {
                return size() > max;
            }
        };
    }

    /** Records that {@code peer} supplied {@code cid} (the latest supplier wins). */
    synchronized void record(Cid cid, PeerId peer) {
        byCid.put(cid, peer);
    }

    /** The peer that supplied {@code cid}, forgotten now; null if unknown or already taken. */
    synchronized PeerId take(Cid cid) {
        return byCid.remove(cid);
    }

    /** Entries remembered. */
    synchronized int size() {
        return byCid.size();
    }
}
