package io.warpstats.node.http;

import java.util.function.Supplier;

/** The node's {@link NodeInfo}, asked of the source at most once per second. */
final class CachedNodeInfo implements Supplier<NodeInfo> {
    private static final long TTL_NANOS = 1_000_000_000L;
    private final NodeInfoSource source;
    private NodeInfo cached;
    private long at;

    CachedNodeInfo(NodeInfoSource source) {
        this.source = source;
    }

    @Override
    public synchronized NodeInfo get() {
        long now = System.nanoTime();
        if (cached == null || now - at > TTL_NANOS) {
            cached = source.nodeInfo();
            at = now;
        }
        return cached;
    }
}
