package io.warpstats.bench.cluster;

import io.warpstats.bench.cli.BenchCommandLine;
import io.warpstats.bench.crdt.ZipfKeys;
import io.warpstats.crdt.Head;
import io.warpstats.replication.SyncMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * The cluster benchmark of issue 4: N replicas on 127.0.0.1 in one JVM (each with its own host,
 * gossipsub, sync client/server, pubsub broadcaster and Merkle-CRDT on RocksDB), fully connected.
 *
 * <ol>
 *   <li>Convergence: for each rate (puts/s in total, spread evenly over the nodes, counter-slot
 *       keys with Zipf skew), a warm-up, then a measured window: 1 put in {@code sampleEvery} is
 *       tracked until it is visible on ALL other nodes ({@link LatencyProbe}); p50/p99/max from
 *       HdrHistogram; raw TCP bytes of all hosts (sent) per put; then the load stops and the
 *       cluster must converge (every node holds every slot at its final total).</li>
 *   <li>Catch-up: the last node is cut off by its connection gate, the others write
 *       {@code catchupPuts} over {@code catchupKeys} keys; then it reconnects, and the time until
 *       its heads equal the others' (and its state is checked) and the sync round trips are reported.</li>
 * </ol>
 *
 * {@code java -cp warpstats-bench/target/benchmarks.jar io.warpstats.bench.cluster.ConvergenceBench [--help]}
 */
public final class ConvergenceBench {

    /** Options of a run (defaults: the acceptance configuration of issue 4); {@code dir} null: a temporary directory, deleted afterwards. */
    public record Config(int nodes, int[] rates, int warmupSeconds, int measureSeconds, int keys, double zipf,
                         Duration flushDelay, Duration rebroadcast, int catchupPuts, int catchupKeys, int catchupRate,
                         int runs, int ioThreads, int samplesPerSecond, @Nullable Path dir) {
        public static Config defaults() {
            return new Config(5, new int[] {1_000, 50_000}, 3, 10, 10_000, 1.0, Duration.ofMillis(10),
                    Duration.ofSeconds(1), 100_000, 10_000, 50_000, 3, 1, 200, null);
        }
    }

    /** Figures of one rate. */
    public record RateResult(int rate, long puts, double achievedRate, long samples, double p50Ms, double p99Ms,
                             double maxMs, double bytesPerPut, double syncBytesPerPut, long convergeMs,
                             long mismatches, long blocksMerged, long syncRequests, double cpuUsPerPut) {}

    /** Figures of the catch-up. */
    public record CatchupResult(long puts, int keys, long writeMs, long catchupMs, long roundTrips, long blocks,
                                long wireBytes, long mismatches) {}

    /** One run: every rate, then the catch-up ({@code null} when {@code catchupPuts} is 0). */
    public record RunResult(List<RateResult> rates, @Nullable CatchupResult catchup) {}

    private final Config cfg;
    private final LatencyProbe probe;
    private final List<ClusterNode> nodes = new ArrayList<>();
    /** Every slot written so far with its final total, per writer: verification. */
    private final List<Map<String, long[]>> written = new ArrayList<>();
    private int phase;

    private ConvergenceBench(Config cfg) {
        this.cfg = cfg;
        this.probe = new LatencyProbe(cfg.nodes());
    }

    /** Runs the whole benchmark and returns every run's figures. */
    public static List<RunResult> run(Config cfg) throws Exception {
        Path dir = cfg.dir() != null ? cfg.dir() : Files.createTempDirectory("warpstats-cluster");
        ConvergenceBench b = new ConvergenceBench(cfg);
        try {
            b.start(dir);
            List<RunResult> out = new ArrayList<>();
            for (int r = 0; r < cfg.runs(); r++) {
                List<RateResult> rates = new ArrayList<>();
                for (int rate : cfg.rates()) {
                    RateResult rr = b.convergence(rate);
                    log("run %d: %s", r + 1, rr);
                    rates.add(rr);
                }
                CatchupResult c = cfg.catchupPuts() > 0 ? b.catchup() : null;
                if (c != null) log("run %d: %s", r + 1, c);
                out.add(new RunResult(rates, c));
            }
            return out;
        } finally {
            b.close();
            if (cfg.dir() == null) deleteTree(dir);
        }
    }

    /** Set as the nodes start to close: the progress lines stop. */
    private volatile boolean closing;

    /** Every {@code seconds}, one line per node of counters (diagnostics; {@code -Dwarpstats.bench.progress=SECONDS}). */
    private void monitor(int seconds) {
        Thread t = new Thread(() -> {
            while (!closing) {
                sleepMs(seconds * 1000L);
                try {
                    progressLines();
                } catch (RuntimeException e) {
                    if (!closing) throw e; // else a node closed under it: the run is over
                }
            }
        }, "monitor");
        t.setDaemon(true);
        t.start();
    }

    private void progressLines() {
        for (ClusterNode n : nodes) {
            var m = n.crdt.metrics();
            var c = n.client.metrics();
            log("  node %d: puts=%d local=%d merged=%d pending=%d inflight=%d heads=%d published=%d suppressed=%d sync req=%d blocks=%d fail=%d pen=%d bytesOut=%d probe=%d checkpoints=%d reaped=%d pruned=%d held=%d lag=%d ms",
                    n.index, m.puts(), m.localBlocks(), m.mergedBlocks(), m.pendingBlocks(), m.fetchesInFlight(), m.heads(),
                    n.broadcaster.published(), n.broadcaster.suppressed(), c.requests(), c.blocks(), c.failures(), n.penalties(),
                    n.host.traffic().bytesOut(), probe.outstanding(), m.checkpoints(), m.reapedBlocks(), m.prunedLinks(),
                    m.blocksHeld(), m.syncLagMillis());
            log("  node %d: same heads as node 0: %s, topic peers %d, mesh %d, connections %d", n.index,
                    n.heads().equals(nodes.get(0).heads()), n.subscribedPeers(),
                    ClusterNode.await(n.pubsub.mesh(n.broadcaster.topic())).size(), n.host.connections().size());
        }
    }

    private void start(Path dir) {
        long t0 = System.nanoTime();
        for (int i = 0; i < cfg.nodes(); i++) {
            nodes.add(new ClusterNode(i, dir.resolve("n" + i), cfg, probe.listener(i)));
            written.add(new HashMap<>());
        }
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = i + 1; j < nodes.size(); j++) nodes.get(i).connect(nodes.get(j));
        }
        awaitSubscribed(nodes, Duration.ofSeconds(20));
        log("cluster of %d nodes up in %d ms", nodes.size(), (System.nanoTime() - t0) / 1_000_000);
        int progress = Integer.getInteger("warpstats.bench.progress", 0);
        if (progress > 0) monitor(progress);
    }

    private static void awaitSubscribed(List<ClusterNode> group, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ClusterNode n : group) {
            while (n.subscribedPeers() < group.size() - 1) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("node " + n.index + " sees " + n.subscribedPeers() + " subscribed peers");
                sleepMs(20);
            }
        }
    }

    // ------------------------------------------------------------------ convergence at one rate

    private RateResult convergence(int rate) throws Exception {
        int p = ++phase;
        int n = nodes.size();
        int perNode = Math.max(1, rate / n);
        int sampleEvery = Math.max(1, rate / Math.max(1, cfg.samplesPerSecond()));
        int[] zipf = ZipfKeys.draw(cfg.keys(), cfg.zipf(), 1 << 18, 42 + p);
        List<String[]> keys = new ArrayList<>();
        for (ClusterNode node : nodes) {
            String[] k = new String[cfg.keys()];
            for (int i = 0; i < k.length; i++) k[i] = "/incr/likes/post-" + i + "-" + p + node.slotSuffix;
            keys.add(k);
        }
        long warmNanos = TimeUnit.SECONDS.toNanos(cfg.warmupSeconds());
        long measureNanos = TimeUnit.SECONDS.toNanos(cfg.measureSeconds());
        long start = System.nanoTime() + 50_000_000L;
        long measureStart = start + warmNanos, end = measureStart + measureNanos;
        long[] measuredPuts = new long[n];
        long[] allPuts = new long[n];
        long[] writerCpu = new long[n]; // the writer threads end before the breakdown is taken: they measure themselves
        long cpuAtStart = processCpuNanos();
        Map<String, Long> threadCpuAtStart = threadCpuByGroup();
        long[] bytesAtStart = new long[1];
        long[] syncAtStart = new long[1];
        List<CompletableFuture<Long>> writers = new ArrayList<>();
        for (ClusterNode node : nodes) {
            int idx = node.index;
            String[] k = keys.get(idx);
            long[] totals = new long[k.length];
            writers.add(CompletableFuture.supplyAsync(() -> {
                long done = 0, atMeasure = -1, sampleCountdown = sampleEvery;
                int pos = (idx * 7919) & (zipf.length - 1);
                while (true) {
                    long now = System.nanoTime();
                    if (now >= end) break;
                    if (atMeasure < 0 && now >= measureStart) atMeasure = done;
                    long target = now < start ? 0 : (now - start) * perNode / 1_000_000_000L;
                    while (done < target) {
                        int key = zipf[pos];
                        pos = (pos + 1) & (zipf.length - 1);
                        long total = ++totals[key];
                        if (atMeasure >= 0 && --sampleCountdown <= 0 && probe.sample(idx, k[key], total)) sampleCountdown = sampleEvery;
                        node.crdt.put(k[key], LatencyProbe.encode(total));
                        done++;
                    }
                    LockSupport.parkNanos(500_000);
                }
                measuredPuts[idx] = done - Math.max(0, atMeasure);
                allPuts[idx] = done;
                writerCpu[idx] = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                Map<String, long[]> w = written.get(idx);
                for (int i = 0; i < k.length; i++) if (totals[i] > 0) w.put(k[i], new long[] {totals[i]});
                return done;
            }, daemonExecutor("writer-" + idx)));
        }
        // at the start of the measured window: reset the histogram, snapshot the byte counters
        sleepUntil(measureStart);
        probe.reset();
        bytesAtStart[0] = bytesOut();
        syncAtStart[0] = syncWireBytes();
        long requestsAtStart = syncRequests();
        long mergedAtStart = merged();
        for (CompletableFuture<Long> w : writers) w.get(cfg.warmupSeconds() + cfg.measureSeconds() + 30, TimeUnit.SECONDS);
        long loadEnd = System.nanoTime();
        long convergeMs = awaitConverged(nodes, Duration.ofSeconds(60), true);
        long cpuNanos = processCpuNanos() - cpuAtStart;
        Map<String, Long> threadCpuAtEnd = threadCpuByGroup();
        threadCpuAtEnd.put("bench-writers (put + pacing)", Arrays.stream(writerCpu).sum());
        logCpuBreakdown(threadCpuAtStart, threadCpuAtEnd, cpuNanos, Arrays.stream(allPuts).sum());
        Histogram h = probe.interval();
        long puts = Arrays.stream(measuredPuts).sum();
        long bytes = bytesOut() - bytesAtStart[0];
        long syncBytes = syncWireBytes() - syncAtStart[0];
        long mismatches = verify(nodes);
        probe.clear();
        return new RateResult(rate, puts, puts * 1e9 / measureNanos, h.getTotalCount(),
                h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0,
                (double) bytes / Math.max(1, puts), (double) syncBytes / Math.max(1, puts),
                convergeMs < 0 ? -1 : (System.nanoTime() - loadEnd) / 1_000_000, mismatches,
                merged() - mergedAtStart, syncRequests() - requestsAtStart,
                cpuNanos / 1000.0 / Math.max(1, Arrays.stream(allPuts).sum()));
    }

    /**
     * CPU time of the whole JVM (all 5 nodes, writers, the probe) in ns: per put over a phase
     * (warm-up + measure + convergence), the machine-independent cost that decides whether the
     * cluster keeps up on 2 shared cores.
     */
    /** CPU ns of the live threads, by name with digits dropped (one group per kind of thread over all nodes). */
    private static Map<String, Long> threadCpuByGroup() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            var info = mx.getThreadInfo(id);
            long t = mx.getThreadCpuTime(id);
            if (info == null || t < 0) continue;
            out.merge(info.getThreadName().replaceAll("[0-9]+", "#"), t, Long::sum);
        }
        return out;
    }

    /** Prints CPU-µs per put by thread group; "other" = process CPU not in live Java threads (RocksDB background, GC, JIT, ended threads). */
    private static void logCpuBreakdown(Map<String, Long> before, Map<String, Long> after, long processNanos, long puts) {
        StringBuilder sb = new StringBuilder();
        long sum = 0;
        List<Map.Entry<String, Long>> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            sum += d;
            if (d > 0) rows.add(Map.entry(e.getKey(), d));
        }
        rows.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        for (Map.Entry<String, Long> e : rows) {
            if (e.getValue() * 200 < processNanos) continue; // < 0.5 %
            sb.append(String.format(Locale.ROOT, " %s=%.1f", e.getKey(), e.getValue() / 1000.0 / Math.max(1, puts)));
        }
        sb.append(String.format(Locale.ROOT, " other=%.1f", (processNanos - sum) / 1000.0 / Math.max(1, puts)));
        log("CPU-us/put %.1f over %d puts:%s", processNanos / 1000.0 / Math.max(1, puts), puts, sb);
    }

    private static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    // ------------------------------------------------------------------ catch-up

    private CatchupResult catchup() throws Exception {
        int p = ++phase;
        ClusterNode late = nodes.get(nodes.size() - 1);
        List<ClusterNode> writersNodes = nodes.subList(0, nodes.size() - 1);
        late.disconnect();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writersNodes.stream().anyMatch(w -> w.host.connection(late.host.peerId()).isPresent())) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("late node still connected");
            sleepMs(10);
        }
        int w = writersNodes.size();
        long perWriter = cfg.catchupPuts() / w;
        long ratePerWriter = Math.max(1, cfg.catchupRate() / w);
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> jobs = new ArrayList<>();
        for (ClusterNode node : writersNodes) {
            int idx = node.index;
            List<String> mine = new ArrayList<>();
            for (int k = idx; k < cfg.catchupKeys(); k += w) mine.add("/incr/views/post-" + k + "-" + p + node.slotSuffix);
            jobs.add(CompletableFuture.runAsync(() -> {
                long[] totals = new long[mine.size()];
                long done = 0;
                long endBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (done < perWriter && System.nanoTime() < endBy) {
                    long target = Math.min(perWriter, (System.nanoTime() - t0) * ratePerWriter / 1_000_000_000L);
                    while (done < target) {
                        int k = (int) (done % mine.size());
                        node.crdt.put(mine.get(k), LatencyProbe.encode(++totals[k]));
                        done++;
                    }
                    LockSupport.parkNanos(500_000);
                }
                Map<String, long[]> wr = written.get(idx);
                for (int i = 0; i < totals.length; i++) if (totals[i] > 0) wr.put(mine.get(i), new long[] {totals[i]});
            }, daemonExecutor("catchup-writer-" + idx)));
        }
        for (CompletableFuture<Void> j : jobs) j.get(90, TimeUnit.SECONDS);
        long writeMs = (System.nanoTime() - t0) / 1_000_000;
        if (awaitConverged(writersNodes, Duration.ofSeconds(60), false) < 0) throw new IllegalStateException("writers did not converge");
        SyncMetrics before = late.client.metrics();
        // reconnect and time until the late node holds the same heads (and state) as the others
        long t1 = System.nanoTime();
        late.reopen();
        for (ClusterNode other : writersNodes) late.connect(other);
        Set<Head> target = writersNodes.get(0).heads();
        long limit = t1 + TimeUnit.SECONDS.toNanos(60);
        while (!late.heads().equals(target) && System.nanoTime() < limit) LockSupport.parkNanos(2_000_000);
        long catchupMs = late.heads().equals(target) ? (System.nanoTime() - t1) / 1_000_000 : -1;
        SyncMetrics after = late.client.metrics();
        awaitSubscribed(nodes, Duration.ofSeconds(20));
        awaitConverged(nodes, Duration.ofSeconds(30), false);
        long mismatches = verify(nodes);
        return new CatchupResult(perWriter * w, cfg.catchupKeys(), writeMs, catchupMs, after.requests() - before.requests(),
                after.blocks() - before.blocks(), after.wireBytes() - before.wireBytes(), mismatches);
    }

    // ------------------------------------------------------------------ utilities

    /**
     * Flushes, then waits until no fetch runs on any node of {@code group} and they have the same heads, or, with
     * different heads, the same values: a node keeps as heads the blocks that the links of blocks it reaped pointed
     * to (docs/crdt.md, "Compaction") until its next local block, and nodes that reaped at different moments can stop
     * writing with different such heads over the same state. Returns ms, or -1.
     */
    private long awaitConverged(List<ClusterNode> group, Duration timeout, boolean samples) {
        long t0 = System.nanoTime(), deadline = t0 + timeout.toNanos();
        for (ClusterNode n : group) ClusterNode.await(n.crdt.flush());
        long lastDigest = 0;
        while (System.nanoTime() < deadline) {
            boolean same = true;
            Set<Head> first = group.get(0).heads();
            for (ClusterNode n : group) same &= n.heads().equals(first);
            if (!same && (!samples || probe.outstanding() == 0) && System.nanoTime() - lastDigest > 500_000_000L) {
                lastDigest = System.nanoTime(); // a full read of every node: at most twice a second
                if (allIdle(group, deadline)) {
                    Map<String, Long> firstState = state(group.get(0));
                    same = true;
                    for (ClusterNode n : group) same &= state(n).equals(firstState);
                    if (same) first = null; // the same values: the heads are not compared again below
                }
            }
            if (same) {
                boolean idle = allIdle(group, deadline);
                if (idle && (first == null || group.get(0).heads().equals(first)) && (!samples || probe.outstanding() == 0)) {
                    return (System.nanoTime() - t0) / 1_000_000;
                }
            }
            sleepMs(10);
        }
        log("not converged within %s: outstanding samples %d, metrics %s", timeout, probe.outstanding(),
                group.stream().map(n -> n.crdt.metrics() + " " + n.client.metrics()).toList());
        return -1;
    }

    /** Waits until no node of {@code group} has a fetch or merge running, at most until {@code deadline}. */
    private static boolean allIdle(List<ClusterNode> group, long deadline) {
        for (ClusterNode n : group) {
            try {
                n.crdt.replication().whenIdle().get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                return false;
            }
        }
        return true;
    }

    /** The node's visible counters. */
    private static Map<String, Long> state(ClusterNode n) {
        Map<String, Long> m = new HashMap<>();
        n.crdt.query("/incr/", (k, v) -> m.put(k, v.length == 8 ? LatencyProbe.decode(v) : -1));
        return m;
    }

    /** Slots (of every writer) whose value on some node differs from the writer's final total. */
    private long verify(List<ClusterNode> group) {
        Map<String, Long> expected = new HashMap<>();
        for (Map<String, long[]> w : written) w.forEach((k, v) -> expected.put(k, v[0]));
        long bad = 0;
        for (ClusterNode n : group) {
            Map<String, Long> seen = state(n);
            for (Map.Entry<String, Long> e : expected.entrySet()) {
                if (!e.getValue().equals(seen.get(e.getKey()))) {
                    if (bad++ < 3) log("node %d: %s = %s, expected %d", n.index, e.getKey(), seen.get(e.getKey()), e.getValue());
                }
            }
            if (seen.size() != expected.size()) bad += Math.abs(seen.size() - expected.size());
        }
        return bad;
    }

    private long bytesOut() {
        return nodes.stream().mapToLong(n -> n.host.traffic().bytesOut()).sum();
    }

    private long syncWireBytes() {
        return nodes.stream().mapToLong(n -> n.client.metrics().wireBytes()).sum();
    }

    private long syncRequests() {
        return nodes.stream().mapToLong(n -> n.client.metrics().requests()).sum();
    }

    private long merged() {
        return nodes.stream().mapToLong(n -> n.crdt.metrics().mergedBlocks()).sum();
    }

    private static java.util.concurrent.Executor daemonExecutor(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            t.start();
        };
    }

    private static void sleepUntil(long nanoTime) {
        long d;
        while ((d = nanoTime - System.nanoTime()) > 0) LockSupport.parkNanos(d);
    }

    private static void sleepMs(long ms) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    private static void log(String fmt, Object... args) {
        System.out.printf(Locale.ROOT, "[cluster] " + fmt + "%n", args);
        System.out.flush();
    }

    private void close() {
        closing = true;
        for (ClusterNode n : nodes) {
            try {
                n.close();
            } catch (RuntimeException e) {
                log("close of node %d failed: %s", n.index, e);
            }
        }
    }

    /** Deletes {@code dir} and everything under it. */
    static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ main

    /** Parses the options (see {@code --help}), runs, prints the tables and exits: 0, 1 (the run failed) or 2 (bad input). */
    public static void main(String[] args) {
        System.exit(BenchCommandLine.execute(new ConvergenceCommand(), args));
    }

    /** Runs the benchmark with {@code c} and prints the configuration, the progress and the tables on stdout. */
    static void report(Config c) throws Exception {
        log("config: nodes=%d rates=%s warmup=%ds measure=%ds keys=%d zipf=%.2f flush=%s rebroadcast=%s catchup=%d puts/%d keys at %d/s runs=%d io-threads=%d",
                c.nodes(), Arrays.toString(c.rates()), c.warmupSeconds(), c.measureSeconds(), c.keys(), c.zipf(), c.flushDelay(),
                c.rebroadcast(), c.catchupPuts(), c.catchupKeys(), c.catchupRate(), c.runs(), c.ioThreads());
        List<RunResult> runs = run(c);
        System.out.println();
        System.out.println("| rate (puts/s) | achieved | p50 ms | p99 ms | max ms | bytes/put | sync bytes/put | converge after stop ms | mismatches | CPU-µs/put |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (int r = 0; r < c.rates().length; r++) {
            List<RateResult> rs = new ArrayList<>();
            for (RunResult run : runs) rs.add(run.rates().get(r));
            for (RateResult x : rs) {
                System.out.printf(Locale.ROOT, "| %d | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %d | %.1f |%n", x.rate(), x.achievedRate(),
                        x.p50Ms(), x.p99Ms(), x.maxMs(), x.bytesPerPut(), x.syncBytesPerPut(), x.convergeMs(), x.mismatches(), x.cpuUsPerPut());
            }
            System.out.printf(Locale.ROOT, "| **%d median** | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f | | %.1f |%n", c.rates()[r],
                    median(rs.stream().mapToDouble(RateResult::achievedRate)), median(rs.stream().mapToDouble(RateResult::p50Ms)),
                    median(rs.stream().mapToDouble(RateResult::p99Ms)), median(rs.stream().mapToDouble(RateResult::maxMs)),
                    median(rs.stream().mapToDouble(RateResult::bytesPerPut)), median(rs.stream().mapToDouble(RateResult::syncBytesPerPut)),
                    median(rs.stream().mapToDouble(RateResult::convergeMs)), median(rs.stream().mapToDouble(RateResult::cpuUsPerPut)));
        }
        if (c.catchupPuts() > 0) {
            System.out.println();
            System.out.println("| catch-up puts | keys | write ms | catch-up ms | round trips | blocks | wire bytes | mismatches |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (RunResult run : runs) {
                CatchupResult x = run.catchup();
                System.out.printf(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %d | %d |%n", x.puts(), x.keys(), x.writeMs(), x.catchupMs(),
                        x.roundTrips(), x.blocks(), x.wireBytes(), x.mismatches());
            }
            System.out.printf(Locale.ROOT, "| **median** | | | %.0f | %.0f | %.0f | | |%n",
                    median(runs.stream().mapToDouble(r -> r.catchup().catchupMs())),
                    median(runs.stream().mapToDouble(r -> r.catchup().roundTrips())),
                    median(runs.stream().mapToDouble(r -> r.catchup().blocks())));
        }
    }

    private static double median(java.util.stream.DoubleStream s) {
        double[] v = s.sorted().toArray();
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
