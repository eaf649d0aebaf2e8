package io.warpstats.bench.faults;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * Injects faults one after the other on a schedule drawn from the seed alone ({@link #schedule}):
 * cycles in which every enabled kind occurs {@link #weight} times (a wipe once) in a shuffled order, each with its target node,
 * partition side and hold time, and a gap before the next. A killed or wiped node is restarted at once
 * and serves again while the next faults go on (a later fault may hit it while it starts); a wipe
 * first waits for the node to serve, stops the clients and waits until another node holds everything
 * the node holds ({@link Cluster#replicatedElsewhere}), else it is skipped and recorded so: a wipe
 * destroys data that exists nowhere else, which no system can keep. Runs on the caller's thread.
 */
final class Nemesis {
    /**
     * One planned fault. {@code side}: the nodes cut from the rest (partitions only). {@code restart}:
     * a full disk also kills the node and starts it on the full disk (a quarter of them).
     */
    record Planned(int seq, FaultKind kind, int target, Set<Integer> side, long holdMs, long gapMs, boolean restart) {}

    /**
     * How long a node started on a full disk is given to serve or exit before space returns: a start
     * took 25 s on average on the loaded machine, a third of a long run's fault time at 60 s.
     */
    static final long FULL_DISK_START_WAIT_MS = 20_000;

    private final Cluster cluster;
    private final Workload workload;
    private final History history;
    private final List<String> posts;
    private final Map<FaultKind, Integer> injected = new EnumMap<>(FaultKind.class);

    Nemesis(Cluster cluster, Workload workload, History history, List<String> posts) {
        this.cluster = cluster;
        this.workload = workload;
        this.history = history;
        this.posts = posts;
    }

    /**
     * The endless schedule of {@code seed}: a function of the seed, the kinds, the node count, the
     * weight and the scale of hold times and gaps only (the scale changes no other choice).
     */
    static Iterator<Planned> schedule(long seed, Set<FaultKind> kinds, int nodes, int weight, double holdScale) {
        Random rnd = new Random(seed);
        List<FaultKind> order = new ArrayList<>(new TreeSet<>(kinds));
        return new Iterator<>() {
            private final List<Planned> cycle = new ArrayList<>();
            private int seq;

            @Override
            public boolean hasNext() {
                return !order.isEmpty();
            }

            @Override
            public Planned next() {
                if (cycle.isEmpty()) {
                    List<FaultKind> shuffled = new ArrayList<>();
                    for (FaultKind k : order) for (int w = 0; w < weight(k, weight); w++) shuffled.add(k);
                    java.util.Collections.shuffle(shuffled, rnd);
                    for (FaultKind k : shuffled) {
                        int target = rnd.nextInt(nodes);
                        int mask = 1 + rnd.nextInt((1 << nodes) - 2);
                        Set<Integer> side = new TreeSet<>();
                        for (int i = 0; i < nodes; i++) if ((mask & (1 << i)) != 0) side.add(i);
                        long hold = switch (k) {
                            case PAUSE -> 300 + rnd.nextInt(1200);
                            case PARTITION -> 800 + rnd.nextInt(2200);
                            case DISK_FULL -> 500 + rnd.nextInt(1500);
                            case KILL, WIPE -> 0;
                        };
                        boolean restart = rnd.nextInt(4) == 0;
                        long gap = 200 + rnd.nextInt(600);
                        cycle.add(new Planned(seq++, k, target, k == FaultKind.PARTITION ? side : Set.of(target),
                                Math.round(hold * holdScale), Math.round(gap * holdScale), k == FaultKind.DISK_FULL && restart));
                    }
                }
                return cycle.remove(0);
            }
        };
    }

    /**
     * How often a kind occurs in one cycle of the schedule: a wipe costs the most time (it waits, with
     * the clients stopped, until another node holds all of the victim's data), so it occurs once a cycle
     * and every other kind {@code weight} times.
     */
    static int weight(FaultKind k, int weight) {
        return k == FaultKind.WIPE ? 1 : weight;
    }

    /** Faults injected so far, by kind. */
    synchronized Map<FaultKind, Integer> injected() {
        return new EnumMap<>(injected);
    }

    /** Runs the schedule until every kind was injected {@code perKind} times or {@code deadlineNanos}. */
    void run(Iterator<Planned> schedule, Set<FaultKind> kinds, int perKind, long deadlineNanos) throws Exception {
        while (System.nanoTime() < deadlineNanos && !enough(kinds, perKind)) {
            Planned p = schedule.next();
            if (injected().getOrDefault(p.kind(), 0) >= perKind) {
                continue; // this kind is done; the others still need theirs
            }
            try {
                inject(p);
            } catch (java.io.IOException | RuntimeException e) {
                healAll(); // a fault that could not be injected or healed: record it, leave nothing behind, go on
                for (NodeProcess n : cluster.nodes) if (!n.alive()) cluster.start(n.index);
                history.add(new FaultEvent(p.seq(), p.kind(), List.copyOf(p.side()), p.holdMs(), history.nowMs(), history.nowMs(),
                        "skipped: " + e.getMessage()));
            }
            Thread.sleep(p.gapMs()); // the schedule's pause between faults
        }
    }

    private boolean enough(Set<FaultKind> kinds, int perKind) {
        Map<FaultKind, Integer> m = injected();
        return kinds.stream().allMatch(k -> m.getOrDefault(k, 0) >= perKind);
    }

    private void inject(Planned p) throws Exception {
        long start = history.nowMs();
        int t = p.target();
        NodeProcess n = cluster.nodes.get(t);
        String note = "injected";
        switch (p.kind()) {
            case KILL -> {
                n.kill();
                cluster.start(t);
            }
            case PAUSE -> {
                n.pause();
                Thread.sleep(p.holdMs()); // the fault's hold time
                n.resume();
            }
            case PARTITION -> {
                cluster.network.partition(p.side());
                try {
                    Thread.sleep(p.holdMs()); // the fault's hold time
                } finally {
                    cluster.network.heal();
                }
            }
            case DISK_FULL -> note = diskFull(p, n);
            case WIPE -> note = wipe(t);
        }
        history.add(new FaultEvent(p.seq(), p.kind(), List.copyOf(p.side()), p.holdMs(), start, history.nowMs(), note));
        if (note.startsWith("injected")) {
            synchronized (this) {
                injected.merge(p.kind(), 1, Integer::sum);
            }
        }
    }

    /**
     * Fills the node's disk for the hold time. With {@code restart}, also kills it and starts it on the
     * full disk, holding until that start ended (the node served or exited, at most
     * {@link #FULL_DISK_START_WAIT_MS}); a node that
     * exited is started again once space has returned.
     */
    private String diskFull(Planned p, NodeProcess n) throws Exception {
        n.fillDisk();
        String note = "injected";
        try {
            Thread.sleep(p.holdMs()); // the fault's hold time
            if (p.restart()) {
                n.kill();
                cluster.start(n.index);
                long deadline = System.nanoTime() + FULL_DISK_START_WAIT_MS * 1_000_000L;
                while (System.nanoTime() < deadline && n.alive() && !n.ready) Thread.sleep(100); // polling the process and its /health
                note = n.ready ? "injected (restarted on the full disk: served)" : n.alive()
                        ? "injected (restarted on the full disk: still starting after " + FULL_DISK_START_WAIT_MS / 1000 + " s)" : "injected (restarted on the full disk: exited)";
            }
        } finally {
            n.freeDisk();
        }
        if (p.restart() && !n.alive()) cluster.start(n.index);
        return note;
    }

    /** The wipe's node: the planned one if it serves within 3 s, else the next one that serves. */
    private int wipeTarget(int planned) {
        if (cluster.awaitReady(planned, 3_000)) return planned;
        for (int k = 1; k < cluster.nodes.size(); k++) {
            int i = (planned + k) % cluster.nodes.size();
            if (cluster.nodes.get(i).ready) return i;
        }
        return cluster.awaitReady(planned, Cluster.READY_TIMEOUT_MS) ? planned : -1;
    }

    /** Waits (at most the start timeout) until a node other than {@code t} serves, before the clients are stopped. */
    private boolean otherServes(int t) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(Cluster.READY_TIMEOUT_MS);
        while (System.nanoTime() < deadline) {
            for (NodeProcess n : cluster.nodes) if (n.index != t && n.ready) return true;
            Thread.sleep(100); // polling the watchers' ready flags
        }
        return false;
    }

    private String wipe(int planned) throws Exception {
        int t = wipeTarget(planned);
        if (t < 0) return "skipped: no node served";
        if (!otherServes(t)) return "skipped: no other node served";
        if (!workload.quiesce()) return "skipped: clients did not stop";
        try {
            if (!cluster.replicatedElsewhere(t, posts, 20_000)) return "skipped: no other node holds all of its data";
            NodeProcess n = cluster.nodes.get(t);
            n.kill();
            n.wipeStores();
            cluster.start(t);
            return "injected (node " + t + ", incarnation " + n.incarnation + ")";
        } finally {
            workload.resume();
        }
    }

    /** Heals everything the nemesis may have left: paused nodes, partitions, full disks. */
    void healAll() {
        for (NodeProcess n : cluster.nodes) {
            try {
                n.resume();
                if (n.ownDisk()) n.freeDisk();
            } catch (RuntimeException e) {
                System.err.println("faults: healing node " + n.index + ": " + e.getMessage());
            }
        }
        try {
            cluster.network.heal();
        } catch (RuntimeException e) {
            System.err.println("faults: healing the network: " + e.getMessage());
        }
    }
}
