package io.warpstats.replication;

import io.warpstats.p2p.Host;

/**
 * Serves {@value #PROTOCOL} on a host from a {@link BlockSource} (normally {@code ReplicationPort::block}).
 *
 * <p>Guarantees: each stream is answered one request at a time; an answer holds at most
 * {@link SyncParams#blockBudget()} blocks and {@link SyncParams#maxAnswerBytes()} bytes, computed
 * off the network threads with at most {@link SyncParams#maxConcurrentAnswers()} at once (BUSY
 * beyond); a peer gets at most {@link SyncParams#maxStreamsPerPeer()} streams answered (more get a
 * BUSY status without penalty; beyond twice the limit they are reset and the peer penalized);
 * an oversized, undecodable or out-of-turn frame gets a REFUSED status (if it could be read), the
 * stream is closed and the peer penalized; a stream idle for {@link SyncParams#streamIdleTimeout()}
 * is closed.
 */
public interface SyncServer extends AutoCloseable {
    /** The protocol id. */
    String PROTOCOL = "/warpstats/sync/1.0.0";

    /** Registers a server for {@link #PROTOCOL} on {@code host}. */
    static SyncServer register(Host host, BlockSource blocks, SyncParams params, PeerPenalty penalty) {
        SyncServerImpl s = new SyncServerImpl(host, blocks, params, penalty);
        host.setHandler(PROTOCOL, s::handle);
        return s;
    }

    /** Counters since registration. */
    SyncMetrics metrics();

    /** Removes the handler and stops the worker threads; open streams are reset. */
    @Override
    void close();
}
