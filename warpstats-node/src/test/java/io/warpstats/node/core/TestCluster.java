package io.warpstats.node.core;

import io.warpstats.crdt.Head;
import io.warpstats.p2p.ConnectionGate;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.p2p.PeerId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * N nodes on 127.0.0.1 in this JVM, each with a temporary data directory, node i&gt;0 bootstrapping
 * from node 0 (the others are found by peer exchange). Nodes can be stopped and restarted on the
 * same directory and port; a partition is a {@link ConnectionGate} per node that refuses the peers of
 * the other side. Waiting is by polling with a deadline (never a bare sleep).
 */
final class TestCluster implements AutoCloseable {
    private final Path root;
    private final List<NodeConfig> configs = new ArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Set<PeerId> blocked = ConcurrentHashMap.newKeySet();

    TestCluster(int n) throws IOException {
        root = Files.createTempDirectory("warpstats-cluster");
        for (int i = 0; i < n; i++) {
            NodeConfig c = NodeConfig.defaults(root.resolve("n" + i), Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                    .withTimings(Duration.ofMillis(10), Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofMillis(800),
                            Duration.ofMillis(100));
            if (i > 0) c = c.withBootstrap(List.of(nodes.get(0).address()));
            Node node = Node.start(c);
            // restart on the same port
            configs.add(c.withListen(node.address().withoutPeerId()));
            nodes.add(node);
        }
    }

    int size() { return nodes.size(); }

    Node node(int i) { return nodes.get(i); }

    List<Node> running() { return nodes.stream().filter(n -> n != null).toList(); }

    /** Stops node {@code i} (gracefully); its directory and port are kept for {@link #restart}. */
    void stop(int i) {
        nodes.get(i).close();
        nodes.set(i, null);
    }

    /** Starts node {@code i} again on its old directory and port. */
    Node restart(int i) {
        Node n = Node.start(configs.get(i));
        nodes.set(i, n);
        return n;
    }

    /** Splits the running nodes: those in {@code side} cannot connect to the others (both directions). */
    void partition(Set<Integer> side) {
        List<Node> all = running();
        Set<PeerId> a = new TreeSet<>();
        for (int i : side) a.add(nodes.get(i).peerId());
        for (Node n : all) {
            boolean inA = a.contains(n.peerId());
            n.host().setGate((peer, remote, inbound) -> peer == null || a.contains(peer) == inA);
        }
    }

    /** Removes every gate. */
    void heal() {
        for (Node n : running()) n.host().setGate(ConnectionGate.OPEN);
    }

    /** Polls {@code condition} every 20 ms until it holds; fails with {@code what} after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        awaitWith(what, timeout, condition, () -> "");
    }

    static void awaitWith(String what, Duration timeout, BooleanSupplier condition, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out after " + timeout + " waiting for " + what + " " + state.get());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** Waits until every running node is connected to every other running node. */
    void awaitFullMesh(Duration timeout) {
        List<Node> all = running();
        awaitWith("a full mesh", timeout, () -> all.stream().allMatch(n -> n.connectedPeers().size() >= all.size() - 1),
                () -> all.stream().map(n -> n.connectedPeers().size()).toList().toString());
    }

    /** The sorted heads of a node: equal heads mean equal DAGs, hence equal states. */
    static Set<String> heads(Node n) {
        Set<String> out = new TreeSet<>();
        for (Head h : n.crdt().heads()) out.add(h.cid().toString());
        return out;
    }

    /** The whole visible state of a node (key → hex value). */
    static TreeMap<String, String> state(Node n) {
        TreeMap<String, String> m = new TreeMap<>();
        n.crdt().query("/", (k, v) -> m.put(k, java.util.HexFormat.of().formatHex(v)));
        return m;
    }

    /**
     * Waits until every running node's statistics outbox is drained into its CRDT and flushed, then
     * until all have the same heads.
     */
    void settle(Duration timeout) {
        List<Node> all = running();
        awaitWith("drained outboxes", timeout, () -> all.stream().allMatch(n -> n.stats().outboxSize() == 0),
                () -> all.stream().map(n -> n.stats().outboxSize()).toList().toString());
        for (Node n : all) {
            try {
                n.crdt().flush().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new AssertionError("flush failed", e);
            }
        }
        awaitConvergence(timeout);
    }

    /**
     * Waits until every running node has the same non-empty heads and no block left to fetch (a head
     * may be merged before the rest of its branch), announcing the heads while waiting.
     */
    void awaitConvergence(Duration timeout) {
        List<Node> all = running();
        long[] lastAnnounce = {0};
        awaitWith("convergence of " + all.size() + " nodes", timeout, () -> {
            Set<String> first = heads(all.get(0));
            boolean same = !first.isEmpty() && all.stream().allMatch(n -> heads(n).equals(first));
            // equal heads are not enough: a head is merged before the rest of its branch, so every walk must be done
            same = same && all.stream().allMatch(n -> n.crdt().metrics().pendingBlocks() == 0 && n.crdt().metrics().fetchesInFlight() == 0);
            if (!same && System.nanoTime() - lastAnnounce[0] > TimeUnit.MILLISECONDS.toNanos(500)) {
                lastAnnounce[0] = System.nanoTime();
                all.forEach(Node::announce); // gossip may have dropped an announcement; this is the periodic rebroadcast, sooner
            }
            return same;
        }, () -> all.stream().map(n -> heads(n).size() + " heads/" + n.crdt().metrics().pendingBlocks() + " pending").toList().toString());
    }

    @Override
    public void close() throws IOException {
        for (Node n : running()) {
            try { n.close(); } catch (RuntimeException ignored) { /* best effort */ }
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
