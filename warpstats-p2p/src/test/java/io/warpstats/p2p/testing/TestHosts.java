package io.warpstats.p2p.testing;

import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.echo.Echo;
import io.warpstats.p2p.host.Hosts;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Hosts for tests: listening on 127.0.0.1 (a free port) with the echo protocol, and waits bounded to 15 s. */
public final class TestHosts {
    public static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

    private TestHosts() {}

    /** A host of {@code key} listening on 127.0.0.1 (a free port) and answering echo. */
    public static Host listening(PrivateKey key, HostOptions options) {
        Host h = Hosts.create(key, options);
        h.setHandler(Echo.PROTOCOL, Echo.handler());
        await(h.listen(LOOPBACK));
        return h;
    }

    /** {@link #listening(PrivateKey, HostOptions)} with a new key. */
    public static Host listening(HostOptions options) { return listening(PrivateKey.generate(), options); }

    public static Host listening() { return listening(HostOptions.defaults()); }

    /** The first listen address of {@code h} with its {@code /p2p/} peer id. */
    public static Multiaddr addr(Host h) { return h.listenAddresses().get(0).withPeerId(h.peerId()); }

    /** The value of {@code f}; an {@link AssertionError} if it fails or takes more than 15 s. */
    public static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future failed or timed out: " + e, e);
        }
    }
}
