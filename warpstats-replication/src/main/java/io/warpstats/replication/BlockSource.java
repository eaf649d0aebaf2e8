package io.warpstats.replication;

import io.warpstats.multiformats.Cid;
import java.util.Optional;

/** The local blocks a sync server serves and a sync client checks against ({@code ReplicationPort::block} fits). */
@FunctionalInterface
public interface BlockSource {
    /** Holds none. */
    BlockSource EMPTY = cid -> Optional.empty();

    /** The stored bytes of block {@code cid}, if held. Must be fast and must not block on the network. */
    Optional<byte[]> block(Cid cid);
}
