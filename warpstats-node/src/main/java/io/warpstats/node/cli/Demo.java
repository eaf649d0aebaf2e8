package io.warpstats.node.cli;

import io.warpstats.node.cli.DemoWorkload.DemoFailure;
import io.warpstats.node.cli.DemoWorkload.Mode;
import io.warpstats.node.cli.DemoWorkload.Resolution;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The demo's run: three {@code warpstats node} child processes on loopback, the {@link DemoWorkload}
 * sent to their HTTP APIs by one keep-alive client and one thread per node, node 3 killed with SIGKILL
 * mid-run and restarted on the same data directory and ports, then a wait until every node reports the
 * exact expected totals of every post.
 *
 * <p>Phases: 40 % of the actions on all nodes; 30 % with node 3 killed — its thread sends only
 * retryable actions (first likes and retweets, new replies), kills the node right after sending one,
 * retries it until the node is back (restarted once nodes 1 and 2 did two thirds of their share) and
 * goes on; the last 30 % on all nodes again. Progress goes to stderr, the tables and the verdict to stdout.
 */
final class Demo {
    static final int NODES = 3;
    /** Worker threads (each with its own users) per node: requests of a node overlap, as those of many users would. */
    static final int THREADS_PER_NODE = 2;
    /** The longest wait for every node to agree after the workload. */
    static final Duration CONVERGENCE_TIMEOUT = Duration.ofSeconds(40);
    /** The longest a phase may take. */
    static final Duration PHASE_TIMEOUT = Duration.ofMinutes(5);
    private static final int KILLED = 2;

    private final DemoWorkload work;
    private final int actions;
    private final long seed;
    private final int top;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Object console = new Object();
    private final AtomicInteger[] phaseDone = new AtomicInteger[NODES];
    private final CountDownLatch killed = new CountDownLatch(1);
    private volatile String phase = "starting";
    private volatile long startNanos;

    Demo(int users, int posts, int actions, long seed, int top, PrintWriter out, PrintWriter err) {
        this.work = new DemoWorkload(users, posts, NODES * THREADS_PER_NODE);
        this.actions = actions;
        this.seed = seed;
        this.top = top;
        this.out = out;
        this.err = err;
        for (int i = 0; i < NODES; i++) phaseDone[i] = new AtomicInteger();
    }

    int run(boolean keep) throws Exception {
        startNanos = System.nanoTime();
        Path dir = Files.createTempDirectory("warpstats-demo");
        DemoNode[] nodes = new DemoNode[NODES];
        Thread stopOnExit = new Thread(() -> {
            for (DemoNode n : nodes) if (n != null) n.destroy();
        }, "demo-stop-nodes");
        Runtime.getRuntime().addShutdownHook(stopOnExit); // Ctrl-C during the run: no node is left behind
        boolean keepRunning = false;
        boolean keepFiles = false;
        Thread bar = null;
        try {
            for (int i = 0; i < NODES; i++) nodes[i] = new DemoNode("node" + (i + 1), dir.resolve("node" + (i + 1)));
            nodes[0].start(null);
            startInParallel(nodes[0].address(), java.util.Arrays.copyOfRange(nodes, 1, NODES));
            for (DemoNode n : nodes) err.println(n.name + ": pid " + n.pid() + "  " + n.address() + "  dashboard " + n.url("/"));
            err.println("data and logs in " + dir);
            err.flush();
            bar = progressBar();
            int p1 = actions * 4 / 10;
            int p2 = actions * 3 / 10;
            int p3 = actions - p1 - p2;
            phase = "3 nodes online";
            runPhase(nodes, p1, 1, false);
            phase = "node3 to be killed";
            runPhase(nodes, p2, 2, true);
            phase = "3 nodes online";
            runPhase(nodes, p3, 3, false);
            phase = "converging";
            boolean agree = awaitAgreement(nodes);
            bar.interrupt();
            bar.join(1000);
            renderProgress();
            err.println();
            err.flush();
            printTables(nodes);
            double secs = (System.nanoTime() - startNanos) / 1e9;
            out.printf("%s: %,d actions by %,d users on %,d posts over HTTP to %d node processes, node3 killed (SIGKILL) and "
                            + "restarted mid-run, %d request(s) retried (%d had been applied before the kill), %.1f s%n",
                    agree ? "OK, every node agrees with the exact expected totals" : "FAILED, the nodes do not agree with the expected totals",
                    work.done.get(), work.users, work.posts, NODES, work.retried.get(), work.appliedBeforeFailure.get(), secs);
            out.flush();
            keepFiles = !agree;
            if (keep) {
                keepRunning = true;
                for (DemoNode n : nodes) out.println("dashboard of " + n.name + ": " + n.url("/"));
                out.println("nodes keep running (logs in " + dir + "); Ctrl-C stops them");
                out.flush();
                Runtime.getRuntime().removeShutdownHook(stopOnExit);
                CountDownLatch stopped = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    stopAll(nodes);
                    deleteTree(dir);
                    stopped.countDown();
                }, "demo-shutdown"));
                stopped.await();
            }
            return agree ? 0 : 1;
        } catch (DemoFailure | IOException e) {
            keepFiles = true;
            if (bar != null) bar.interrupt();
            synchronized (console) {
                err.println();
                err.println("failed: " + e.getMessage());
                err.flush();
            }
            out.println("FAILED: " + e.getMessage());
            out.flush();
            return 1;
        } finally {
            if (bar != null) bar.interrupt();
            if (!keepRunning) {
                stopAll(nodes);
                try {
                    Runtime.getRuntime().removeShutdownHook(stopOnExit);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs anyway
                }
                if (keepFiles) {
                    err.println("logs kept in " + dir);
                    err.flush();
                } else {
                    deleteTree(dir);
                }
            }
        }
    }

    /**
     * One phase: each node's thread does its share of {@code count} actions. With {@code kill}, node 3's
     * thread sends retryable actions only and kills its node a third of the way, and this thread restarts
     * it once nodes 1 and 2 did two thirds of their share.
     */
    private void runPhase(DemoNode[] nodes, int count, int phaseNo, boolean kill) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(NODES * THREADS_PER_NODE);
        try {
            List<Future<?>> fs = new ArrayList<>(); // worker w acts through node w % NODES
            int[] quota = new int[NODES];
            for (AtomicInteger d : phaseDone) d.set(0);
            for (int w = 0; w < NODES * THREADS_PER_NODE; w++) {
                int k = w % NODES; // the node; w is also the users' slot: user u belongs to worker u % (NODES * THREADS_PER_NODE)
                int slot = w;
                int share = count / (NODES * THREADS_PER_NODE) + (w < count % (NODES * THREADS_PER_NODE) ? 1 : 0);
                quota[k] += share;
                Random rnd = new Random(seed * 31 + phaseNo * 7 + w);
                boolean retryable = kill && k == KILLED;
                boolean killer = retryable && w == KILLED; // the node's first thread kills it
                fs.add(pool.submit(() -> {
                    Thread.currentThread().setName("demo-" + nodes[k].name + "-" + slot);
                    for (int a = 0; a < share && !Thread.currentThread().isInterrupted(); a++) {
                        if (killer && a == share / 3) {
                            Resolution r = work.act(nodes[k], slot, rnd, Mode.RETRYABLE, () -> killNode(nodes[k]));
                            event("node3's request in flight at the kill " + describe(r));
                        } else {
                            work.act(nodes[k], slot, rnd, retryable ? Mode.RETRYABLE : Mode.MIXED);
                        }
                        phaseDone[k].incrementAndGet();
                    }
                    return null;
                }));
            }
            if (kill) {
                long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
                Future<?> killerThread = fs.get(KILLED);
                // a killer thread that failed before the kill: its failure is reported below
                while (!killed.await(20, TimeUnit.MILLISECONDS) && !killerThread.isDone()) {
                    if (System.nanoTime() - deadline > 0) throw new DemoFailure("node3 was not killed within " + PHASE_TIMEOUT, null);
                }
                // node3 stays down while nodes 1 and 2 do two thirds of their share (or finish, or fail)
                while (killed.getCount() == 0 && (phaseDone[0].get() < quota[0] * 2 / 3 || phaseDone[1].get() < quota[1] * 2 / 3)) {
                    boolean othersDone = true;
                    for (int w = 0; w < fs.size(); w++) if (w % NODES != KILLED && !fs.get(w).isDone()) othersDone = false;
                    if (othersDone || System.nanoTime() - deadline > 0) break;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                if (killed.getCount() == 0) {
                    phase = "restarting node3";
                    long t = System.nanoTime();
                    nodes[KILLED].start(nodes[0].address());
                    event(String.format("node3 restarted on the same data directory and ports in %.1f s", (System.nanoTime() - t) / 1e9));
                    phase = "node3 back";
                }
            }
            for (Future<?> f : fs) {
                try {
                    f.get(PHASE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof DemoFailure d) throw d;
                    throw e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Starts the nodes together (each JVM's start-up is mostly single-threaded), bootstrapping from {@code bootstrap}. */
    private static void startInParallel(String bootstrap, DemoNode[] nodes) throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(nodes.length);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (DemoNode n : nodes) fs.add(pool.submit(() -> { n.start(bootstrap); return null; }));
            for (Future<?> f : fs) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) throw io;
                    throw new IOException(e.getCause().toString(), e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void killNode(DemoNode node) {
        try {
            node.kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        phase = "node3 killed";
        event(String.format("node3 killed with SIGKILL at %,d actions, a request in flight", work.done.get()));
        killed.countDown();
    }

    private static String describe(Resolution r) {
        if (r == null) return "was answered before the kill took effect";
        return r == Resolution.APPLIED_BEFORE_FAILURE
                ? "had been applied before the kill: its retry after the restart was refused as already done (counted once)"
                : "had not been applied: its retry after the restart applied it (counted once)";
    }

    /** Whether every node reports the exact expected totals of every post (404 = all zero). */
    private boolean allAgree(DemoNode[] nodes) throws IOException, InterruptedException {
        for (DemoNode n : nodes) {
            for (int p = 0; p < work.posts; p++) {
                if (!java.util.Arrays.equals(DemoWorkload.stats(n, p), work.expected(p))) return false;
            }
        }
        return true;
    }

    private boolean awaitAgreement(DemoNode[] nodes) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + CONVERGENCE_TIMEOUT.toNanos();
        while (!allAgree(nodes)) {
            if (System.nanoTime() - deadline > 0) return false;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return true;
    }

    /** Writes an event line above the progress line. */
    private void event(String line) {
        synchronized (console) {
            err.printf("\r%-100s%n", String.format("%5.1f s  %s", (System.nanoTime() - startNanos) / 1e9, line));
            err.flush();
        }
    }

    /** Draws the progress line once (the bar thread every 200 ms, and a last time when the run ends). */
    private void renderProgress() {
        long d = work.done.get();
        int width = 30;
        int filled = actions == 0 ? width : (int) Math.min(width, width * d / actions);
        synchronized (console) {
            err.printf("\r[%s%s] %3d%% %,d/%,d actions  %-20s", "#".repeat(filled), ".".repeat(width - filled),
                    actions == 0 ? 100 : d * 100 / actions, d, actions, phase);
            err.flush();
        }
    }

    private Thread progressBar() {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                renderProgress();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
        }, "demo-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The totals per node (summed over every post) and the busiest posts as each node sees them. */
    private void printTables(DemoNode[] nodes) throws IOException, InterruptedException {
        long[][] perNode = new long[NODES][4];
        int[] agreeing = new int[NODES];
        long[] expected = new long[4];
        long[][][] seen = new long[NODES][work.posts][];
        for (int p = 0; p < work.posts; p++) {
            long[] e = work.expected(p);
            for (int k = 0; k < 4; k++) expected[k] += e[k];
            for (int n = 0; n < NODES; n++) {
                seen[n][p] = DemoWorkload.stats(nodes[n], p);
                for (int k = 0; k < 4; k++) perNode[n][k] += seen[n][p][k];
                if (java.util.Arrays.equals(seen[n][p], e)) agreeing[n]++;
            }
        }
        String fmt = "%-26s %10s %10s %10s %10s   %s%n";
        out.printf(fmt, "totals", "likes", "retweets", "replies", "views", "posts agreeing");
        out.printf(fmt, "expected", expected[0], expected[1], expected[2], expected[3], "");
        for (int n = 0; n < NODES; n++) {
            String label = nodes[n].name + (nodes[n].starts() > 1 ? " (killed, restarted)" : "");
            out.printf(fmt, label, perNode[n][0], perNode[n][1], perNode[n][2], perNode[n][3],
                    agreeing[n] + "/" + work.posts + (agreeing[n] == work.posts ? " ok" : " DIFFERS"));
        }
        out.println();
        List<Integer> order = new ArrayList<>();
        for (int p = 0; p < work.posts; p++) order.add(p);
        order.sort(Comparator.comparingLong((Integer p) -> -java.util.Arrays.stream(work.expected(p)).sum()).thenComparing(p -> p));
        String row = "%-10s %-24s %-24s %-24s %-24s%n";
        out.printf(row, "post", "expected L/RT/RE/V", "node1", "node2", "node3");
        for (int i = 0; i < Math.min(top, work.posts); i++) {
            int p = order.get(i);
            long[] e = work.expected(p);
            String[] cells = new String[NODES];
            for (int n = 0; n < NODES; n++) {
                long[] s = seen[n][p];
                cells[n] = s[0] + "/" + s[1] + "/" + s[2] + "/" + s[3] + (java.util.Arrays.equals(s, e) ? " ok" : " DIFFERS");
            }
            out.printf(row, "post-" + p, e[0] + "/" + e[1] + "/" + e[2] + "/" + e[3], cells[0], cells[1], cells[2]);
        }
    }

    private static void stopAll(DemoNode[] nodes) {
        List<Thread> ts = new ArrayList<>();
        for (DemoNode n : nodes) {
            if (n == null) continue;
            Thread t = new Thread(n::stop, "demo-stop-" + n.name); // in parallel: each waits for its process
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) {
            try {
                t.join(DemoNode.STOP_TIMEOUT.toMillis() + 15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the OS cleans it eventually
        }
    }
}
