package io.warpstats.p2p;

import org.jspecify.annotations.Nullable;

/**
 * Decides which connections may exist (used for partitions in fault-injection tests and for
 * deny lists). Consulted before the handshake with the address only (peer {@code null}), after
 * the handshake with the authenticated peer, and for every open connection when the gate of a
 * host is replaced. Must be fast and non-blocking.
 */
@FunctionalInterface
public interface ConnectionGate {
    /** Accepts everything. */
    ConnectionGate OPEN = (peer, remote, inbound) -> true;

    /**
     * @param peer    the remote peer, or {@code null} before the handshake
     * @param remote  the remote TCP address
     * @param inbound true if the remote dialed
     */
    boolean allow(@Nullable PeerId peer, Multiaddr remote, boolean inbound);
}
