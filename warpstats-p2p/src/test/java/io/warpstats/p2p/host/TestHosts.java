package io.warpstats.p2p.host;

import io.warpstats.p2p.Host;
import io.warpstats.p2p.HostOptions;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.crypto.PrivateKey;
import io.warpstats.p2p.echo.Echo;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Helpers for tests: hosts on 127.0.0.1 and bounded waits. */
public final class TestHosts {
    public static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

    private TestHosts() {}

    public static Host listening(HostOptions options) {
        Host h = Hosts.create(PrivateKey.generate(), options);
        h.setHandler(Echo.PROTOCOL, Echo.handler());
        await(h.listen(LOOPBACK));
        return h;
    }

    public static Host listening() { return listening(HostOptions.defaults()); }

    public static Multiaddr addr(Host h) { return h.listenAddresses().get(0).withPeerId(h.peerId()); }

    public static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("future failed or timed out: " + e, e);
        }
    }
}
