package io.warpstats.bench.cluster;

import io.warpstats.bench.cli.BenchCommandLine;
import io.warpstats.crdt.CompactionOptions;
import io.warpstats.crdt.MerkleCrdtBuilder;
import io.warpstats.crdt.MerkleCrdtOptions;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.replication.PeerPenalty;
import io.warpstats.stats.Action;
import io.warpstats.stats.StatsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * The growth benchmark: what a node keeps on disk, against what it must keep, after N increments; and how long
 * a new node takes to join.
 *
 * <ol>
 *   <li>{@code nodes} {@link StatsNode}s (default 5) on 127.0.0.1 in one JVM, fully connected; N views through the
 *       statistics API ({@code StatsService.view}), each node writing N / nodes of them from its own thread, on
 *       posts drawn uniformly from {@code posts} (default 10,000); then every node must report the expected views of
 *       every post.</li>
 *   <li>At that moment, while the nodes run, the apparent bytes of each node's data directory (the sum of its
 *       files' sizes, as {@code du --apparent-size -b}): the disk right after the burst, while the nodes may still be
 *       reaping what the last checkpoints cover. With {@code tidy}, every node then finishes that work
 *       ({@link io.warpstats.crdt.MerkleCrdt#tidy()}, timed); after {@code settle}, the nodes stop gracefully.
 *       Per node: the apparent bytes of its data directory, and of {@code crdt/} and {@code local/}; the live
 *       state ({@link LiveState}); their ratio.</li>
 *   <li>The nodes start again on their directories, and a new node with an empty store connects to all of them:
 *       the join time is from its start until it reports the expected views of every post.</li>
 * </ol>
 *
 * {@code java -cp warpstats-bench/target/benchmarks.jar io.warpstats.bench.cluster.GrowthBench --n 1000000 --compaction on}
 */
public final class GrowthBench {

    /** Options of a run; {@code dir} null: a temporary directory, deleted afterwards. */
    public record Config(long n, boolean compaction, int nodes, int posts, boolean tidy, Duration settle, Duration timeout, @Nullable Path dir) {}

    /**
     * The live state of a stopped node: what it must keep, at the encoded sizes of its store rows (key bytes plus
     * value bytes, as stored): the CRDT's winning visible rows {@code ns/v/{key}} (a counter slot's or an activity
     * key's latest value with its priority: every counter slot, set member and activity register), the statistics
     * view's rows {@code /stats/…} (the aggregates), and the local database's rows except the event log {@code e/}
     * (history) and the outbox {@code o/} (empty after a graceful stop): incarnation, sequence, the mirror's watermark, this node's totals,
     * activity, who did what ({@code l/ r/ p/ u/}) and import marks. Not counted: block rows, element and tombstone
     * rows, heads, RocksDB's own files.
     */
    public record LiveState(long visibleRows, long visibleBytes, long viewRows, long viewBytes, long localRows, long localBytes) {
        public long bytes() {
            return visibleBytes + viewBytes + localBytes;
        }
    }

    /**
     * One stopped node: apparent bytes of its data directory and of its two stores, blocks held, live state; and the
     * bytes of its data directory while it ran, when every node had the totals (-1: not measured).
     */
    public record NodeFigures(String name, long dirBytes, long crdtBytes, long localBytes, long blocks, LiveState live, long runningDirBytes) {
        public double ratio() {
            return (double) dirBytes / Math.max(1, live.bytes());
        }

        /** The running data directory at the totals ÷ the live state (NaN if not measured). */
        public double runningRatio() {
            return runningDirBytes < 0 ? Double.NaN : (double) runningDirBytes / Math.max(1, live.bytes());
        }
    }

    /** A whole run. {@code joinMs} -1: the new node did not reach the totals within the timeout. */
    public record Result(Config config, long writeMs, long convergeMs, long tidyMs, List<NodeFigures> nodes, long joinMs, long joinBlocks,
                         long joinWireBytes, NodeFigures joined) {}

    private final Config cfg;
    private final Path root;
    private final long[] expected;
    private final List<StatsNode> nodes = new ArrayList<>();

    private GrowthBench(Config cfg, Path root) {
        this.cfg = cfg;
        this.root = root;
        this.expected = new long[cfg.posts()];
    }

    static String post(int i) {
        return "post-" + i;
    }

    /** Runs the benchmark (see the class comment). */
    public static Result run(Config cfg) throws Exception {
        Path root = cfg.dir() != null ? cfg.dir() : Files.createTempDirectory("warpstats-growth");
        GrowthBench b = new GrowthBench(cfg, root);
        try {
            return b.runIn();
        } finally {
            b.closeAll();
            if (cfg.dir() == null) ConvergenceBench.deleteTree(root);
        }
    }

    private Result runIn() throws Exception {
        startAll();
        long t0 = System.nanoTime();
        write();
        long writeMs = ms(t0);
        long t1 = System.nanoTime();
        for (StatsNode n : nodes) {
            if (!reachesTotals(n, deadline(cfg.timeout()))) throw new IllegalStateException("node " + n.node.index + " did not reach the totals");
        }
        long convergeMs = ms(t1);
        log("at the totals: %s", engines());
        log("wrote %d views in %d ms (%.0f/s); every node has every total %d ms later", cfg.n(), writeMs, cfg.n() * 1000.0 / Math.max(1, writeMs), convergeMs);
        List<Long> running = new ArrayList<>();
        for (StatsNode n : nodes) running.add(apparentBytes(n.dir));
        long tidyMs = -1;
        if (cfg.tidy()) {
            long t = System.nanoTime();
            CompletableFuture.allOf(nodes.stream().map(n -> n.node.crdt.tidy()).toArray(CompletableFuture[]::new))
                    .get(cfg.timeout().toMillis(), TimeUnit.MILLISECONDS);
            tidyMs = ms(t);
            log("every node tidied (reap finished, store compacted if due) in %d ms: %s", tidyMs, engines());
        }
        if (!cfg.settle().isZero()) {
            log("settling %s", cfg.settle());
            Thread.sleep(cfg.settle().toMillis()); // compaction runs on its own timers: this is the time it is given, not a wait for an event
        }
        List<Long> blocks = nodes.stream().map(n -> n.node.crdt.metrics().blocksHeld()).toList();
        closeAll();
        List<NodeFigures> figures = new ArrayList<>();
        for (int i = 0; i < cfg.nodes(); i++) figures.add(measure("node " + i, root.resolve("n" + i), blocks.get(i), running.get(i)));
        startAll();
        long t2 = System.nanoTime();
        StatsNode fresh = new StatsNode(cfg.nodes(), root.resolve("join"), this::engine);
        nodes.add(fresh);
        for (int i = 0; i < cfg.nodes(); i++) fresh.node.connect(nodes.get(i).node);
        boolean joined = reachesTotals(fresh, deadline(cfg.timeout()));
        long joinMs = joined ? ms(t2) : -1;
        var m = fresh.node.client.metrics();
        long freshBlocks = fresh.node.crdt.metrics().blocksHeld();
        log("the new node %s in %d ms: %d blocks fetched in %d requests, %d wire bytes", joined ? "joined" : "did NOT join", joinMs,
                m.blocks(), m.requests(), m.wireBytes());
        closeAll();
        NodeFigures j = measure("new node", root.resolve("join"), freshBlocks, -1);
        return new Result(cfg, writeMs, convergeMs, tidyMs, figures, joinMs, m.blocks(), m.wireBytes(), j);
    }

    /** The engine settings of the run: compaction on ({@link CompactionOptions#defaults()}, a node's) or off. */
    private void engine(MerkleCrdtBuilder b) {
        b.compaction(cfg.compaction() ? CompactionOptions.defaults() : CompactionOptions.disabled());
    }

    private void startAll() {
        long t0 = System.nanoTime();
        for (int i = 0; i < cfg.nodes(); i++) nodes.add(new StatsNode(i, root.resolve("n" + i), this::engine));
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = i + 1; j < nodes.size(); j++) nodes.get(i).node.connect(nodes.get(j).node);
        }
        log("%d nodes up in %d ms", nodes.size(), ms(t0));
    }

    /** Writes in flight per node. */
    static final int WINDOW = 1024;

    /** N views, each node from its own thread with {@link #WINDOW} in flight; posts uniform (seeded per node); the expected totals are counted. */
    private void write() throws Exception {
        int k = nodes.size();
        long[][] counts = new long[k][cfg.posts()];
        long step = Math.max(1, cfg.n() / 10);
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        List<CompletableFuture<Void>> writers = new ArrayList<>();
        for (int w = 0; w < k; w++) {
            int idx = w;
            long mine = cfg.n() / k + (w < cfg.n() % k ? 1 : 0);
            writers.add(CompletableFuture.runAsync(() -> {
                SplittableRandom rnd = new SplittableRandom(42 + idx);
                StatsNode n = nodes.get(idx);
                // a window of WINDOW writes in flight, as many HTTP clients would keep: they share group commits
                java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(WINDOW);
                java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
                for (long v = 0; v < mine && failed.get() == null; v++) {
                    int p = rnd.nextInt(cfg.posts());
                    window.acquireUninterruptibly();
                    n.stats.submit(new Action.View(post(p), null)).whenComplete((ok, e) -> {
                        if (e != null) failed.compareAndSet(null, e);
                        window.release();
                    });
                    counts[idx][p]++;
                    long d = done.incrementAndGet();
                    if (d % step == 0) log("  %d views written; %s", d, engines());
                }
                window.acquireUninterruptibly(WINDOW); // every write acknowledged
                if (failed.get() != null) throw new IllegalStateException("a write failed", failed.get());
            }, r -> {
                Thread t = new Thread(r, "growth-writer-" + idx);
                t.setDaemon(true);
                t.start();
            }));
        }
        for (CompletableFuture<Void> f : writers) f.get();
        for (long[] c : counts) for (int p = 0; p < c.length; p++) expected[p] += c[p];
    }

    /** Per node: blocks pending (heard of, not merged), sync lag, blocks held, checkpoints, blocks reaped, store compactions. */
    private String engines() {
        StringBuilder b = new StringBuilder("pending/lag s/held/checkpoints/reaped/store compactions:");
        for (StatsNode n : nodes) {
            var m = n.node.crdt.metrics();
            b.append(String.format(Locale.ROOT, " [%d %.0f %d %d %d %d]", m.pendingBlocks(), m.syncLagMillis() / 1000.0, m.blocksHeld(),
                    m.checkpoints(), m.reapedBlocks(), m.storeCompactions()));
        }
        return b.append(peers()).toString();
    }

    /**
     * Per node: fetch failures and pruned links (engine), the sync client's failed fetches and peers banned now, the
     * penalties it gave and received (by {@link PeerPenalty.Offense}, initials), and its sync score of each other node.
     */
    private String peers() {
        StringBuilder b = new StringBuilder("; fetch failures/pruned/sync failures/banned, penalties given > received, scores:");
        PeerPenalty.Offense[] kinds = PeerPenalty.Offense.values();
        for (StatsNode n : nodes) {
            var m = n.node.crdt.metrics();
            var s = n.node.client.metrics();
            long[] given = new long[kinds.length];
            long[] received = new long[kinds.length];
            StringBuilder scores = new StringBuilder();
            for (StatsNode o : nodes) {
                if (o == n) continue;
                AtomicLongArray g = n.node.given.get(o.node.host.peerId());
                AtomicLongArray r = o.node.given.get(n.node.host.peerId());
                for (int k = 0; k < kinds.length; k++) {
                    given[k] += g == null ? 0 : g.get(k);
                    received[k] += r == null ? 0 : r.get(k);
                }
                scores.append(scores.length() == 0 ? "" : ",").append(n.node.client.score(o.node.host.peerId()));
            }
            b.append(String.format(Locale.ROOT, " [%d %d %d %d %s > %s %s]", m.fetchFailures(), m.prunedLinks(), s.failures(),
                    s.bannedPeers(), offenses(given, kinds), offenses(received, kinds), scores));
        }
        return b.toString();
    }

    /** "-" or the non-zero counts as initial and count, e.g. "T12M1" (TIMEOUT 12, MALFORMED 1; TOO_MANY_STREAMS is S, FLOOD F). */
    private static String offenses(long[] counts, PeerPenalty.Offense[] kinds) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < kinds.length; k++) {
            if (counts[k] == 0) continue;
            char c = switch (kinds[k]) {
                case TOO_MANY_STREAMS -> 'S';
                case RATE_LIMITED -> 'L';
                default -> kinds[k].name().charAt(0);
            };
            b.append(c).append(counts[k]);
        }
        return b.length() == 0 ? "-" : b.toString();
    }

    /** Whether {@code n} reports the expected views of every post before {@code deadline} (polled every 50 ms). */
    private boolean reachesTotals(StatsNode n, long deadline) throws InterruptedException {
        int from = 0;
        long polls = 0;
        while (System.nanoTime() < deadline) {
            while (from < expected.length && views(n, from) == expected[from]) from++;
            if (from == expected.length) return true;
            if (++polls % 600 == 0) log("  node %d at post %d of %d after %d s; %s", n.node.index, from, expected.length, polls / 20, engines());
            Thread.sleep(50); // replication is asynchronous; a bounded poll of its visible result
        }
        log("node %d: post %s has %d views, expected %d", n.node.index, post(from), views(n, from), expected[from]);
        return false;
    }

    private static long views(StatsNode n, int p) {
        try {
            return n.stats.stats(post(p)).views();
        } catch (StatsException e) {
            if (e.problem() == StatsException.Problem.UNKNOWN_POST) return 0;
            throw e;
        }
    }

    // ------------------------------------------------------------------ measurement

    private static NodeFigures measure(String name, Path dir, long blocks, long runningDirBytes) throws Exception {
        log("%s %s", name, GrowthDiagnosis.describe(dir.resolve("crdt")));
        log("%s %s", name, GrowthDiagnosis.describe(dir.resolve("local")));
        return new NodeFigures(name, apparentBytes(dir), apparentBytes(dir.resolve("crdt")), apparentBytes(dir.resolve("local")),
                blocks, liveState(dir), runningDirBytes);
    }

    /** The sum of the sizes of the regular files under {@code dir}: {@code du --apparent-size -b}. */
    static long apparentBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            long n = 0;
            for (Path p : (Iterable<Path>) s::iterator) if (Files.isRegularFile(p)) n += Files.size(p);
            return n;
        }
    }

    /** Scans the stopped node's stores, read-only (see {@link LiveState}). */
    static LiveState liveState(Path dir) throws Exception {
        long[] v = scan(dir.resolve("crdt"), MerkleCrdtOptions.defaults().namespace() + "/v/", List.of());
        long[] view = scan(dir.resolve("crdt"), "/stats/", List.of());
        long[] local = scan(dir.resolve("local"), "", List.of("e/", "o/"));
        return new LiveState(v[0], v[1], view[0], view[1], local[0], local[1]);
    }

    /** Rows and bytes (key + value) of the keys of {@code db} starting with {@code prefix} and with none of {@code skip}. */
    private static long[] scan(Path db, String prefix, List<String> skip) throws Exception {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        long rows = 0, bytes = 0;
        try (Options o = new Options(); RocksDB r = RocksDB.openReadOnly(o, db.toString()); RocksIterator it = r.newIterator()) {
            for (it.seek(p); it.isValid(); it.next()) {
                byte[] k = it.key();
                if (!startsWith(k, p)) break;
                String ks = new String(k, 0, Math.min(k.length, 2), StandardCharsets.UTF_8);
                if (skip.contains(ks)) continue;
                rows++;
                bytes += k.length + it.value().length;
            }
        }
        return new long[] {rows, bytes};
    }

    private static boolean startsWith(byte[] k, byte[] p) {
        if (k.length < p.length) return false;
        for (int i = 0; i < p.length; i++) if (k[i] != p[i]) return false;
        return true;
    }

    // ------------------------------------------------------------------ lifecycle and logging

    private void closeAll() {
        for (StatsNode n : nodes) {
            try {
                n.close();
            } catch (RuntimeException e) {
                log("close of %s failed: %s", n.dir, e);
            }
        }
        nodes.clear();
    }

    private static long deadline(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    private static long ms(long since) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
    }

    static void log(String fmt, Object... args) {
        System.out.printf(Locale.ROOT, "[growth] " + fmt + "%n", args);
        System.out.flush();
    }

    // ------------------------------------------------------------------ main

    /** Parses the options (see {@code --help}), runs, prints the table and exits: 0, 1 (the run failed) or 2 (bad input). */
    public static void main(String[] args) {
        System.exit(BenchCommandLine.execute(new GrowthCommand(), args));
    }

    /** Runs with {@code c} and prints the configuration, the progress and the table on stdout. */
    static void report(Config c) throws Exception {
        log("%s; %d processors, Java %s, RocksDB write buffer %d MiB", c, Runtime.getRuntime().availableProcessors(),
                Runtime.version(), KvStores.WRITE_BUFFER_BYTES >> 20);
        Result r = run(c);
        System.out.println();
        System.out.printf(Locale.ROOT, "N = %d views on %d posts through %d nodes, compaction %s (%s)%n", c.n(), c.posts(), c.nodes(),
                c.compaction() ? "on" : "off", Instant.now());
        System.out.println("| node | data dir bytes | crdt/ | local/ | blocks | live state bytes (v/ rows, /stats/ rows, local rows) | dir / live |"
                + " running dir at the totals / live |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        List<NodeFigures> all = new ArrayList<>(r.nodes());
        all.add(r.joined());
        for (NodeFigures f : all) {
            LiveState l = f.live();
            System.out.printf(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d (%,d in %,d; %,d in %,d; %,d in %,d) | %.2f | %s |%n", f.name(), f.dirBytes(),
                    f.crdtBytes(), f.localBytes(), f.blocks(), l.bytes(), l.visibleBytes(), l.visibleRows(), l.viewBytes(), l.viewRows(),
                    l.localBytes(), l.localRows(), f.ratio(),
                    f.runningDirBytes() < 0 ? "–" : String.format(Locale.ROOT, "%,d / %.2f", f.runningDirBytes(), f.runningRatio()));
        }
        System.out.printf(Locale.ROOT, "%nwrite %d ms, every node at the totals %d ms later, tidy %s; join of a new node: %d ms, %,d blocks, %,d wire bytes%n",
                r.writeMs(), r.convergeMs(), r.tidyMs() < 0 ? "off" : r.tidyMs() + " ms", r.joinMs(), r.joinBlocks(), r.joinWireBytes());
        if (r.joinMs() < 0) throw new IllegalStateException("the new node did not reach the totals within " + c.timeout());
    }
}
