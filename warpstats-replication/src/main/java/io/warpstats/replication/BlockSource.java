package io.warpstats.replication;

import io.warpstats.crdt.ReplicationPort;
import io.warpstats.multiformats.Cid;
import java.util.Optional;

/** The local blocks a sync server serves and a sync client checks against ({@code ReplicationPort::block} fits). */
@FunctionalInterface
public interface BlockSource {
    /** Holds none. */
    BlockSource EMPTY = cid -> Optional.empty();

    /** The stored bytes of block {@code cid}, if held. Must be fast and must not block on the network. */
    Optional<byte[]> block(Cid cid);

    /**
     * Whether block {@code cid} is known to be compacted away here (docs/crdt.md, "Compaction"): deleted
     * lately, or — when {@code linked}, i.e. a held block links to it — neither held nor waiting to be
     * fetched. The default knows nothing of that.
     */
    default boolean compacted(Cid cid, boolean linked) {
        return false;
    }

    /** The blocks of a replica, which knows what it compacted away. */
    static BlockSource of(ReplicationPort port) {
        return new BlockSource() {
            @Override
            public Optional<byte[]> block(Cid cid) {
                return port.block(cid);
            }

            @Override
            public boolean compacted(Cid cid, boolean linked) {
                if (port.recentlyCompacted(cid)) return true;
                return linked && !port.isPending(cid) && !port.hasBlock(cid);
            }
        };
    }
}
