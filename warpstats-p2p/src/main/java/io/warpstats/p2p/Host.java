package io.warpstats.p2p;

import io.warpstats.p2p.crypto.PrivateKey;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A libp2p host: listens and dials over TCP, upgrades every connection (multistream-select →
 * Noise XX → Yamux), answers the protocols registered with {@link #setHandler}, and runs
 * identify and ping. Created by {@code io.warpstats.p2p.host.Hosts.create(key, options)}.
 *
 * <p>Guarantees: every method is thread-safe and non-blocking (results are futures, completed
 * on a network thread — do not block in their callbacks); limits of {@link HostOptions} are
 * enforced by a connection manager; input from the network is bounded and a protocol violation
 * ends only the offending stream or connection, with a logged reason.
 */
public interface Host extends AutoCloseable {

    /** This host's peer id (derived from {@link #privateKey()}). */
    PeerId peerId();

    /** The identity key (e.g. for signing pubsub messages). */
    PrivateKey privateKey();

    /** The options this host enforces. */
    HostOptions options();

    /**
     * Starts listening on a {@code /ip4|ip6/…/tcp/PORT} address (port 0 picks a free one).
     * Completes with the bound address, without {@code /p2p}.
     */
    CompletableFuture<Multiaddr> listen(Multiaddr address);

    /** The addresses bound by {@link #listen}, without {@code /p2p}. */
    List<Multiaddr> listenAddresses();

    /**
     * Dials {@code address} ({@code /ip4|ip6|dns4|dns6/…/tcp/PORT[/p2p/ID]}) and completes with the
     * upgraded connection. When the address names a peer id, the remote must prove it holds that
     * key, else the dial fails. Reuses an open connection to that peer if there is one.
     */
    CompletableFuture<Connection> dial(Multiaddr address);

    /**
     * Opens a stream to {@code peer} over an existing connection, negotiating the first protocol of
     * {@code protocols} the remote accepts. Fails if there is no open connection to the peer.
     */
    CompletableFuture<Stream> newStream(PeerId peer, List<String> protocols);

    /** Dials {@code address} if needed, then opens a stream as {@link #newStream(PeerId, List)}. */
    CompletableFuture<Stream> newStream(Multiaddr address, List<String> protocols);

    /**
     * Registers the handler of inbound streams for {@code protocol} (replacing an earlier one) and
     * announces the change to identified peers (identify push).
     */
    void setHandler(String protocol, ProtocolHandler handler);

    /** Removes the handler of {@code protocol}, if any. */
    void removeHandler(String protocol);

    /** The protocols this host answers. */
    Set<String> protocols();

    /** The open (fully upgraded) connections. */
    List<Connection> connections();

    /** An open connection to {@code peer}, if any. */
    Optional<Connection> connection(PeerId peer);

    /** What identify learned about {@code peer} over one of its open connections, if anything yet. */
    Optional<IdentifyInfo> identifyInfo(PeerId peer);

    /** Adds a listener of connection events; events run on a network thread. */
    void addConnectionListener(ConnectionListener listener);

    void removeConnectionListener(ConnectionListener listener);

    /**
     * Replaces the connection gate. Open connections the new gate refuses are closed at once;
     * new ones are checked before and after the handshake.
     */
    void setGate(ConnectionGate gate);

    /** Closes every connection and listener; idempotent. */
    CompletableFuture<Void> closeAsync();

    /** {@link #closeAsync()} and waits (bounded, 5 s) for it; call it from an application thread, not a network thread. */
    @Override
    void close();
}
