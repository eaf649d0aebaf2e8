package io.warpstats.p2p;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An upgraded (encrypted, multiplexed) connection to an authenticated remote peer.
 * Thread-safe; futures complete on the connection's network thread.
 */
public interface Connection {

    /** The authenticated remote peer (its Noise static key is signed by this peer's identity key). */
    PeerId remotePeer();

    /** The remote TCP address ({@code /ip4/…/tcp/…}). */
    Multiaddr remoteAddress();

    /** The local TCP address. */
    Multiaddr localAddress();

    /** True if this side dialed. */
    boolean isInitiator();

    /** Opens a stream negotiating the first of {@code protocols} the remote accepts. */
    CompletableFuture<Stream> newStream(List<String> protocols);

    /** The number of streams open on this connection. */
    int streamCount();

    /** What identify reported about the remote, once it has answered. */
    Optional<IdentifyInfo> identifyInfo();

    /**
     * Completes with the remote's identify answer (a later push updates {@link #identifyInfo()}),
     * or exceptionally if identify fails or the connection closes first.
     */
    CompletableFuture<IdentifyInfo> identified();

    boolean isOpen();

    /** Closes the connection (Yamux GoAway, then TCP close); idempotent. */
    CompletableFuture<Void> close();

    /** Completes when the connection is closed, for whatever reason. */
    CompletableFuture<Void> closeFuture();
}
