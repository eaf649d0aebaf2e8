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

    /**
     * The blocks of several replicas (the DAGs of a sharded node; blocks are content-addressed and name
     * their DAG, so a CID is held by one of them at most): a block is served from the first that holds it,
     * and is compacted away if one of them says so.
     */
    static BlockSource anyOf(java.util.List<BlockSource> sources) {
        java.util.List<BlockSource> all = java.util.List.copyOf(sources);
        if (all.size() == 1) return all.get(0);
        return new BlockSource() {
            @Override
            public Optional<byte[]> block(Cid cid) {
                for (BlockSource s : all) {
                    Optional<byte[]> b = s.block(cid);
                    if (b.isPresent()) return b;
                }
                return Optional.empty();
            }

            @Override
            public boolean compacted(Cid cid, boolean linked) {
                for (BlockSource s : all) if (s.compacted(cid, false)) return true;
                if (!linked) return false;
                for (BlockSource s : all) if (!s.compacted(cid, true)) return false;
                return true; // linked, and neither held nor pending in any of them
            }
        };
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
