package io.warpstats.node.cli;

import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.crypto.Identity;
import io.warpstats.p2p.crypto.PrivateKey;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of a command that runs a bare host under a stored identity ({@code p2p listen},
 * {@code p2p pubsub}): {@code --data-dir} and {@code --listen}, checked the same way everywhere.
 */
final class HostMixin {
    @Option(names = "--data-dir", required = true, description = "The node's data directory (identity key, created if absent).")
    Path dataDir;

    @Option(names = "--listen", defaultValue = "/ip4/127.0.0.1/tcp/0", description = "Listen multiaddr (default ${DEFAULT-VALUE}).")
    String listen;

    /** The listen address; a bad or non-TCP multiaddr is a {@link BadInputException} (exit 2). */
    Multiaddr listenAddress() {
        Multiaddr addr = multiaddr(listen);
        if (addr.tcpAddress().isEmpty() || addr.tcpAddress().get().isUnresolved()) {
            throw new BadInputException("--listen needs /ip4|ip6/HOST/tcp/PORT: " + listen);
        }
        return addr;
    }

    /** The identity key of {@code --data-dir}, created (mode 0600) on first use. */
    PrivateKey identity() throws java.io.IOException {
        return Identity.loadOrCreate(dataDir);
    }

    /** Parses a multiaddr given on the command line; a bad one is a {@link BadInputException} (exit 2). */
    static Multiaddr multiaddr(String s) {
        try {
            return Multiaddr.parse(s);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("bad multiaddr '" + s + "': " + e.getMessage());
        }
    }
}
