package io.warpstats.stats;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A hybrid logical clock timestamp (Kulkarni, Demirbas et al., "Logical Physical Clocks", OPODIS 2014):
 * wall time in milliseconds, a logical counter that orders events within one millisecond (or while a
 * node's clock lags a timestamp it has seen), and the node id as the final tie-break, so that any two
 * timestamps of different nodes are ordered the same way on every node. The order is lexicographic on
 * (wall, logical, node id).
 *
 * <p>Encoded as 12 bytes (8-byte big-endian wall ‖ 4-byte big-endian logical); the node id travels in the
 * CRDT key ({@code /activity/{postId}/{nodeId}}), not in the value.
 */
record Hlc(long wallMillis, int logical, String nodeId) implements Comparable<Hlc> {
    static final int BYTES = 12;
    /** The smallest timestamp: what nothing is. */
    static final Hlc ZERO = new Hlc(0, 0, "");

    Hlc {
        Objects.requireNonNull(nodeId, "nodeId");
        if (wallMillis < 0 || logical < 0) throw new IllegalArgumentException("negative HLC component");
    }

    @Override
    public int compareTo(Hlc o) {
        int c = Long.compare(wallMillis, o.wallMillis);
        if (c != 0) return c;
        c = Integer.compare(logical, o.logical);
        return c != 0 ? c : nodeId.compareTo(o.nodeId);
    }

    byte[] encode() {
        return ByteBuffer.allocate(BYTES).putLong(wallMillis).putInt(logical).array();
    }

    /**
     * The timestamp {@code value} (of node {@code nodeId}): 12 bytes as {@link #encode}, or the legacy 8-byte
     * milliseconds (logical 0); anything else, or a negative component, is {@link #ZERO} (hostile input
     * never wins).
     */
    static Hlc decode(byte @Nullable [] value, String nodeId) {
        if (value == null) return ZERO;
        ByteBuffer b = ByteBuffer.wrap(value);
        if (value.length == BYTES) {
            long wall = b.getLong();
            int logical = b.getInt();
            return wall < 0 || logical < 0 ? ZERO : new Hlc(wall, logical, nodeId);
        }
        if (value.length == 8) {
            long wall = b.getLong();
            return wall < 0 ? ZERO : new Hlc(wall, 0, nodeId);
        }
        return ZERO;
    }

    static Hlc max(Hlc a, Hlc b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
