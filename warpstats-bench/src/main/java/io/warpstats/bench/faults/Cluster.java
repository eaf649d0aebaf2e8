package io.warpstats.bench.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The node processes of a run on their {@link Network}: every node bootstraps from every other
 * (addresses with {@code /p2p/ID}, known before the first start), with the same data directory,
 * addresses and ports at every restart. A restart returns at once; a watcher thread marks the node
 * {@link NodeProcess#ready} when {@code /health} answers. Driven by one thread (runner, then nemesis).
 */
final class Cluster implements AutoCloseable {
    /** The longest a node may take to serve after a start. */
    static final long READY_TIMEOUT_MS = 120_000;

    final Network network;
    final List<NodeProcess> nodes = new ArrayList<>();
    final String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
    private final Path config;
    private final String classpath;
    private final int[] generation;
    private final ExecutorService watchers;
    private final NodeApi api;
    /** Milliseconds from each restart to the node serving again. */
    final ConcurrentLinkedQueue<Long> restartMs = new ConcurrentLinkedQueue<>();
    /** A run stopped from outside (SIGTERM, Ctrl-C) still stops its node processes, then removes disks and network. */
    private final Thread cleanup = new Thread(this::release, "faults-cluster-cleanup");

    Cluster(Scenario s, Network network, boolean ownDisks) {
        this.network = network;
        this.classpath = s.classpath();
        try {
            Files.createDirectories(s.workDir());
            config = s.workDir().resolve("node.properties");
            // quick redials so that a healed partition or a restarted peer is reconnected within seconds
            Files.writeString(config, "reconnect-max-ms=2000\nrebroadcast-interval-ms=2000\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < s.nodes(); i++) nodes.add(new NodeProcess(i, s.workDir(), ownDisks));
        generation = new int[s.nodes()];
        watchers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "faults-ready-watcher");
            t.setDaemon(true);
            return t;
        });
        api = new NodeApi(urls(), token, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(5));
        Runtime.getRuntime().addShutdownHook(cleanup);
    }


    List<String> urls() {
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) urls.add("http://" + network.host(i) + ":" + network.httpPort(i));
        return urls;
    }

    NodeApi api() {
        return api;
    }

    private List<String> command(int i) {
        List<String> cmd = new ArrayList<>(network.launcher(i));
        cmd.addAll(List.of(NodeProcess.javaBin(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", classpath, "io.warpstats.node.cli.Main", "node",
                "--data-dir", nodes.get(i).dataDir.toString(),
                "--listen", "/ip4/" + network.host(i) + "/tcp/" + network.p2pPort(i),
                "--http", network.host(i) + ":" + network.httpPort(i), "--http-token", token,
                "--config", config.toString()));
        for (int j = 0; j < nodes.size(); j++) {
            if (j == i) continue;
            cmd.addAll(List.of("--bootstrap", "/ip4/" + network.host(j) + "/tcp/" + network.p2pPort(j) + "/p2p/" + nodes.get(j).peerId()));
        }
        return cmd;
    }

    /** Starts node {@code i} (again) and returns; it becomes ready when /health answers. */
    synchronized void start(int i) throws IOException {
        NodeProcess n = nodes.get(i);
        n.start(command(i));
        int gen = ++generation[i];
        long t0 = System.nanoTime();
        watchers.submit(() -> {
            NodeApi probe = new NodeApi(urls(), token, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(2));
            long deadline = t0 + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
            while (System.nanoTime() < deadline && currentGeneration(i) == gen && n.alive()) {
                if (probe.healthy(i)) {
                    if (currentGeneration(i) == gen) {
                        n.ready = true;
                        restartMs.add((System.nanoTime() - t0) / 1_000_000);
                    }
                    return null;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            return null;
        });
    }

    private synchronized int currentGeneration(int i) {
        return generation[i];
    }

    /** Waits until every node is ready; false after {@code timeoutMs}. */
    boolean awaitAllReady(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (nodes.stream().allMatch(n -> n.ready)) return true;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return false;
    }

    /** Waits until node {@code i} is ready; false after {@code timeoutMs}. */
    boolean awaitReady(int i, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (nodes.get(i).ready) return true;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return false;
    }

    /**
     * Whether another ready node holds everything node {@code i} holds, with no client operation in
     * flight: {@code i}'s outbox is empty, and some other node has the same heads, no sync lag, and the
     * same statistics for every post, twice 300 ms apart. Bounded by {@code timeoutMs}.
     */
    boolean replicatedElsewhere(int i, List<String> posts, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        int stable = 0;
        while (System.nanoTime() < deadline) {
            try {
                if (api.outbox(i) <= 0 && matchesSomeNode(i, posts)) {
                    if (++stable >= 2) return true;
                } else {
                    stable = 0;
                }
            } catch (java.io.IOException e) {
                stable = 0;
            }
            Thread.sleep(300); // polling a remote state: no event to await over HTTP
        }
        return false;
    }

    private boolean matchesSomeNode(int i, List<String> posts) throws IOException, InterruptedException {
        List<String> heads = api.heads(i);
        for (int j = 0; j < nodes.size(); j++) {
            if (j == i || !nodes.get(j).ready) continue;
            try {
                if (!api.heads(j).equals(heads)) continue;
                if (api.get(j, "/v1/node").path("syncLagSeconds").asDouble(1) > 0) continue;
                boolean same = true;
                for (String p : posts) {
                    var a = api.stats(i, p);
                    var b = api.stats(j, p);
                    if (!java.util.Objects.equals(counts(a), counts(b))) {
                        same = false;
                        break;
                    }
                }
                if (same) return true;
            } catch (IOException e) {
                // that node cannot vouch now; try the next
            }
        }
        return false;
    }

    static String counts(com.fasterxml.jackson.databind.JsonNode s) {
        if (s == null) return "unknown";
        return s.path("likes").asLong() + "/" + s.path("retweets").asLong() + "/" + s.path("replies").asLong() + "/" + s.path("views").asLong();
    }

    /**
     * Copies every node's data directory to {@code n{i}-kept} beside it (a tmpfs is gone after
     * {@link #close}), so that a failed run can be examined; the nodes keep running meanwhile.
     */
    void keepData(java.util.function.Consumer<String> log) {
        for (NodeProcess n : nodes) {
            Path kept = n.dataDir.resolveSibling(n.dataDir.getFileName() + "-kept");
            Shell.Result r = Shell.run("cp", "-a", n.dataDir.toString(), kept.toString());
            log.accept("faults: node " + n.index + " data " + (r.ok() ? "kept in " + kept : "not kept: " + r.output()));
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs release() too (both are idempotent)
        }
        release();
    }

    private void release() {
        watchers.shutdownNow();
        for (NodeProcess n : nodes) n.destroy();
        network.close();
    }
}
