package io.warpstats.stats;

import java.time.Clock;

/**
 * This node's {@link Hlc} clock. {@link #tick()} is never below the physical clock, never below any
 * timestamp this node issued or {@linkplain #observe observed}, and strictly increasing; so a write made
 * after a node saw another write wins over it even if its own wall clock is behind. A timestamp more than
 * {@link #MAX_DRIFT_MILLIS} ahead of the physical clock is not observed (a node with a clock far in the
 * future, or a hostile one, cannot drag every clock along).
 *
 * <p>Thread-safe (synchronized).
 */
final class HybridClock {
    /** Observed timestamps further ahead of the physical clock than this are ignored. */
    static final long MAX_DRIFT_MILLIS = 60_000;
    private final Clock physical;
    private final String nodeId;
    private long wall;
    private int logical;

    HybridClock(Clock physical, String nodeId) {
        this.physical = physical;
        this.nodeId = nodeId;
    }

    /** A new timestamp for a local event. */
    synchronized Hlc tick() {
        long now = physical.millis();
        if (now > wall) {
            wall = now;
            logical = 0;
        } else {
            if (logical == Integer.MAX_VALUE) { // 2^31 events in one millisecond: move the wall on
                wall++;
                logical = 0;
            } else {
                logical++;
            }
        }
        return new Hlc(wall, logical, nodeId);
    }

    /** Takes a timestamp seen from another node into account (within {@link #MAX_DRIFT_MILLIS}). */
    synchronized void observe(Hlc seen) {
        if (seen.wallMillis() > physical.millis() + MAX_DRIFT_MILLIS) return;
        if (seen.wallMillis() > wall || (seen.wallMillis() == wall && seen.logical() > logical)) {
            wall = seen.wallMillis();
            logical = seen.logical();
        }
    }
}
