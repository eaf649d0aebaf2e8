package io.warpstats.node.core;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.p2p.Host;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import io.warpstats.stats.StatsService;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;

/**
 * A running warpstats node: a libp2p host (identity kept in the data directory), gossipsub with the
 * CRDT heads announced on the DAG's topic, the block sync protocol (client and server), the Merkle-CRDT engine on RocksDB with signed
 * deltas (Ed25519, the host key) and the statistics layer's write authorization, the
 * {@link StatsService}, and the HTTP API when configured.
 *
 * <p>Guarantees: {@link #start} returns only once the host listens and every store is open; the
 * node then keeps its bootstrap peers (and the peers it discovered, up to the configured limits)
 * connected, redialing lost ones with bounded, jittered exponential backoff. {@link #close} is
 * idempotent and orderly: the HTTP API stops, the statistics outbox and the CRDT's pending delta
 * are flushed, then pubsub and the host close, then the stores. Thread-safe.
 */
public interface Node extends AutoCloseable {

    /** Starts a node; throws {@link IllegalArgumentException} for a bad configuration, {@link java.io.UncheckedIOException} for I/O. */
    static Node start(NodeConfig config) {
        return DefaultNode.start(config);
    }

    PeerId peerId();

    /** The full listen address, with {@code /p2p/…}. */
    Multiaddr address();

    /** The bound HTTP address, if the HTTP API runs. */
    Optional<InetSocketAddress> httpAddress();

    /** The peers connected right now. */
    Set<PeerId> connectedPeers();

    /** The peers this node knows (bootstrap, identified and exchanged), connected or not. */
    Set<PeerId> knownPeers();

    Host host();

    MerkleCrdt crdt();

    StatsService stats();

    /** Re-announces the heads at once (normally done periodically and when a peer subscribes). */
    void announce();

    @Override
    void close();
}
