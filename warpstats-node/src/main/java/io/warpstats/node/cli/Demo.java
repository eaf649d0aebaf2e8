package io.warpstats.node.cli;

import io.warpstats.node.core.Node;
import io.warpstats.node.core.NodeConfig;
import io.warpstats.node.http.HttpConfig;
import io.warpstats.p2p.Multiaddr;
import io.warpstats.stats.PostStats;
import io.warpstats.stats.StatsException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The demo's run. Users have a home node (user {@code u} acts through node {@code u % 3}), as users of
 * a real network do, so each node's local rules (no double like, un-like only after a like) apply to
 * all of a user's actions and the expected totals are exact. The workload runs in three phases: all
 * nodes (40 %), node 3 offline (30 %: its users pause), all nodes again (30 %). Posts are drawn from a
 * Zipf distribution (s = 1.1); actions are 60 % views, 22 % likes, 10 % retweets, 5 % un-likes, 3 % replies.
 */
final class Demo {
    static final int NODES = 3;
    /** The longest wait for every node to agree after the workload. */
    static final Duration CONVERGENCE_TIMEOUT = Duration.ofSeconds(40);

    private final int users;
    private final int posts;
    private final int actions;
    private final long seed;
    private final int top;
    private final PrintWriter out;
    private final PrintWriter err;
    private final double[] zipf;
    private final AtomicLongArray likes;
    private final AtomicLongArray retweets;
    private final AtomicLongArray replies;
    private final AtomicLongArray views;
    private final AtomicLong done = new AtomicLong();
    private volatile String phase = "";

    Demo(int users, int posts, int actions, long seed, int top, PrintWriter out, PrintWriter err) {
        this.users = users;
        this.posts = posts;
        this.actions = actions;
        this.seed = seed;
        this.top = top;
        this.out = out;
        this.err = err;
        likes = new AtomicLongArray(posts);
        retweets = new AtomicLongArray(posts);
        replies = new AtomicLongArray(posts);
        views = new AtomicLongArray(posts);
        zipf = new double[posts];
        double sum = 0;
        for (int i = 0; i < posts; i++) zipf[i] = sum += 1 / Math.pow(i + 1, 1.1);
        for (int i = 0; i < posts; i++) zipf[i] /= sum;
    }

    int run(boolean keep) throws Exception {
        // the progress bar owns stderr: only warnings of the nodes
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.warpstats")).setLevel(ch.qos.logback.classic.Level.ERROR);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.warpstats.node.core")).setLevel(ch.qos.logback.classic.Level.WARN);
        long start = System.nanoTime();
        Path dir = Files.createTempDirectory("warpstats-demo");
        Node[] nodes = new Node[NODES];
        NodeConfig[] configs = new NodeConfig[NODES];
        boolean keepRunning = false;
        try {
            for (int i = 0; i < NODES; i++) {
                NodeConfig c = NodeConfig.defaults(dir.resolve("node" + (i + 1)), Multiaddr.parse("/ip4/127.0.0.1/tcp/0"))
                        .withHttp(HttpConfig.loopback(0))
                        .withTimings(Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofSeconds(1),
                                Duration.ofMillis(100));
                if (i > 0) c = c.withBootstrap(List.of(nodes[0].address()));
                nodes[i] = Node.start(c);
                configs[i] = c.withListen(nodes[i].address().withoutPeerId())
                        .withHttp(HttpConfig.loopback(nodes[i].httpAddress().orElseThrow().getPort()));
                err.println("node" + (i + 1) + ": " + nodes[i].address() + "  http://127.0.0.1:" + nodes[i].httpAddress().get().getPort() + "/");
            }
            err.println("data in " + dir);
            err.flush();
            // per user and post: liked? retweeted? (users act through their home node only)
            boolean[][] liked = new boolean[users][];
            boolean[][] retweeted = new boolean[users][];
            ExecutorService pool = Executors.newFixedThreadPool(NODES);
            Thread bar = progressBar();
            try {
                int p1 = actions * 4 / 10;
                int p2 = actions * 3 / 10;
                int p3 = actions - p1 - p2;
                phase = "3 nodes online";
                runPhase(pool, nodes, new int[] {0, 1, 2}, p1, 1, liked, retweeted);
                phase = "node3 offline";
                nodes[2].close();
                nodes[2] = null;
                runPhase(pool, nodes, new int[] {0, 1}, p2, 2, liked, retweeted);
                phase = "node3 back";
                nodes[2] = Node.start(configs[2]);
                runPhase(pool, nodes, new int[] {0, 1, 2}, p3, 3, liked, retweeted);
                phase = "converging";
            } finally {
                pool.shutdownNow();
            }
            boolean agree = awaitAgreement(nodes);
            bar.interrupt();
            bar.join(1000);
            renderProgress(); // the final state, whatever the bar thread drew last
            err.println();
            printTable(nodes);
            double secs = (System.nanoTime() - start) / 1e9;
            out.printf("%s: %d actions by %d users on %d posts through %d nodes (node3 offline for 30 %% of them), %.1f s%n",
                    agree ? "OK, every node agrees with the expected totals" : "FAILED, the nodes do not agree with the expected totals",
                    actions, users, posts, NODES, secs);
            out.flush();
            if (keep) {
                keepRunning = true;
                for (int i = 0; i < NODES; i++) {
                    out.println("dashboard of node" + (i + 1) + ": http://127.0.0.1:" + nodes[i].httpAddress().get().getPort() + "/");
                }
                out.println("nodes keep running; Ctrl-C stops them");
                out.flush();
                CountDownLatch stopped = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    closeAll(nodes);
                    deleteTree(dir);
                    stopped.countDown();
                }, "demo-shutdown"));
                stopped.await();
            }
            return agree ? 0 : 1;
        } finally {
            if (!keepRunning) {
                closeAll(nodes);
                deleteTree(dir);
            }
        }
    }

    private void runPhase(ExecutorService pool, Node[] nodes, int[] online, int count, int phaseNo,
                          boolean[][] liked, boolean[][] retweeted) throws Exception {
        List<Future<?>> fs = new ArrayList<>();
        for (int k = 0; k < online.length; k++) {
            int node = online[k];
            int quota = count / online.length + (k < count % online.length ? 1 : 0);
            Random rnd = new Random(seed * 31 + phaseNo * 7 + node);
            fs.add(pool.submit(() -> {
                for (int a = 0; a < quota; a++) act(nodes[node], node, rnd, liked, retweeted);
                return null;
            }));
        }
        for (Future<?> f : fs) f.get(10, TimeUnit.MINUTES);
    }

    private void act(Node node, int home, Random rnd, boolean[][] liked, boolean[][] retweeted) {
        int user = home + NODES * rnd.nextInt((users - home + NODES - 1) / NODES);
        int post = post(rnd.nextDouble());
        String p = "post-" + post;
        String u = "user-" + user;
        double r = rnd.nextDouble();
        if (liked[user] == null) {
            liked[user] = new boolean[posts];
            retweeted[user] = new boolean[posts];
        }
        if (r < 0.60) {
            node.stats().view(p, u);
            views.incrementAndGet(post);
        } else if (r < 0.82 || (r < 0.87 && !liked[user][post])) {
            if (!liked[user][post]) {
                node.stats().like(p, u);
                liked[user][post] = true;
                likes.incrementAndGet(post);
            } else {
                node.stats().view(p, u);
                views.incrementAndGet(post);
            }
        } else if (r < 0.87) {
            node.stats().unlike(p, u);
            liked[user][post] = false;
            likes.decrementAndGet(post);
        } else if (r < 0.97 && !retweeted[user][post]) {
            node.stats().retweet(p, u);
            retweeted[user][post] = true;
            retweets.incrementAndGet(post);
        } else {
            node.stats().reply(p, u, "reply-" + u + "-" + done.get() + "-" + rnd.nextInt(1 << 30));
            replies.incrementAndGet(post);
        }
        done.incrementAndGet();
    }

    private int post(double x) {
        int lo = 0;
        int hi = posts - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (zipf[mid] < x) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /** Draws the progress bar once (the bar thread every 200 ms, and a last time when the run ends). */
    private void renderProgress() {
        long d = done.get();
        int width = 30;
        int filled = actions == 0 ? width : (int) (width * d / actions);
        err.printf("\r[%s%s] %3d%% %,d/%,d actions  %-16s", "#".repeat(filled), ".".repeat(width - filled),
                actions == 0 ? 100 : d * 100 / actions, d, actions, phase);
        err.flush();
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

    private boolean matches(Node n, int post) {
        try {
            PostStats s = n.stats().stats("post-" + post);
            return s.likes() == likes.get(post) && s.retweets() == retweets.get(post) && s.replies() == replies.get(post)
                    && s.views() == views.get(post);
        } catch (StatsException e) {
            return likes.get(post) == 0 && retweets.get(post) == 0 && replies.get(post) == 0 && views.get(post) == 0;
        }
    }

    private boolean allAgree(Node[] nodes) {
        for (Node n : nodes) {
            for (int p = 0; p < posts; p++) if (!matches(n, p)) return false;
        }
        return true;
    }

    private boolean awaitAgreement(Node[] nodes) {
        long deadline = System.nanoTime() + CONVERGENCE_TIMEOUT.toNanos();
        long nextAnnounce = 0;
        while (!allAgree(nodes)) {
            long now = System.nanoTime();
            if (now - deadline > 0) return false;
            if (now - nextAnnounce > 0) {
                for (Node n : nodes) n.announce();
                nextAnnounce = now + TimeUnit.SECONDS.toNanos(1);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return true;
    }

    private void printTable(Node[] nodes) {
        List<Integer> order = new ArrayList<>();
        for (int p = 0; p < posts; p++) order.add(p);
        order.sort(Comparator.comparingLong((Integer p) -> -(likes.get(p) + retweets.get(p) + replies.get(p) + views.get(p)))
                .thenComparing(p -> p));
        String fmt = "%-10s %-24s %-24s %-24s %-24s%n";
        out.printf(fmt, "post", "expected L/RT/RE/V", "node1", "node2", "node3");
        for (int i = 0; i < Math.min(top, posts); i++) {
            int p = order.get(i);
            String[] cells = new String[NODES];
            for (int n = 0; n < NODES; n++) {
                String cell;
                try {
                    PostStats s = nodes[n].stats().stats("post-" + p);
                    cell = s.likes() + "/" + s.retweets() + "/" + s.replies() + "/" + s.views();
                } catch (StatsException e) {
                    cell = "unknown";
                }
                cells[n] = cell + (matches(nodes[n], p) ? " ok" : " DIFFERS");
            }
            out.printf(fmt, "post-" + p, likes.get(p) + "/" + retweets.get(p) + "/" + replies.get(p) + "/" + views.get(p),
                    cells[0], cells[1], cells[2]);
        }
    }

    private static void closeAll(Node[] nodes) {
        for (Node n : nodes) {
            if (n != null) {
                try { n.close(); } catch (RuntimeException ignored) { /* best effort */ }
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
