package io.warpstats.bench.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Set;

/**
 * Where the node processes live and how they can be cut from each other. {@link #open} picks network
 * namespaces (one per node, veth pairs on a bridge; partitions by blackhole routes inside each namespace)
 * when the run is root and {@code ip netns} works, else plain loopback without partitions.
 * Methods are called by one thread at a time (the runner and then the nemesis).
 */
sealed interface Network extends AutoCloseable permits Network.Loopback, NamespaceNetwork {

    /** The IPv4 address node {@code i} listens on (libp2p and HTTP). */
    String host(int i);

    int p2pPort(int i);

    int httpPort(int i);

    /** The command prefix that runs a process in node {@code i}'s network (empty on loopback). */
    List<String> launcher(int i);

    /** Whether {@link #partition} is supported. */
    boolean partitions();

    /** Cuts the nodes of {@code side} from the others, both ways; replaces any previous partition. */
    void partition(Set<Integer> side);

    /** Removes every cut. */
    void heal();

    /** Removes what {@link #open} created; idempotent. */
    @Override
    void close();

    /** Namespaces when possible (root, {@code ip netns}), else loopback. */
    static Network open(int nodes, boolean allowNamespaces) {
        if (allowNamespaces && Shell.isRoot() && Shell.run("ip", "netns", "list").ok()) {
            try {
                return NamespaceNetwork.create(nodes);
            } catch (RuntimeException e) {
                System.err.println("faults: network namespaces unavailable (" + e.getMessage() + "); using loopback without partitions");
            }
        }
        return new Loopback(nodes);
    }

    /** All nodes on 127.0.0.1 with ports chosen once (stable across restarts); no partitions. */
    final class Loopback implements Network {
        private final int[] p2p;
        private final int[] http;

        Loopback(int nodes) {
            p2p = new int[nodes];
            http = new int[nodes];
            for (int i = 0; i < nodes; i++) {
                p2p[i] = freePort();
                http[i] = freePort();
            }
        }

        private static int freePort() {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override public String host(int i) { return "127.0.0.1"; }
        @Override public int p2pPort(int i) { return p2p[i]; }
        @Override public int httpPort(int i) { return http[i]; }
        @Override public List<String> launcher(int i) { return List.of(); }
        @Override public boolean partitions() { return false; }
        @Override public void partition(Set<Integer> side) { throw new UnsupportedOperationException("loopback has no partitions"); }
        @Override public void heal() {}
        @Override public void close() {}
    }
}
