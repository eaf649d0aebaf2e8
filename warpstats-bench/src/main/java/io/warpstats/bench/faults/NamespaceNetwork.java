package io.warpstats.bench.faults;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One network namespace per node ({@code wsf{run}n{i}}), each with a veth pair whose outer end is on a
 * bridge ({@code wsf{run}br}, address {@code 10.215.{run}.1/24}) in the harness's namespace; node
 * {@code i} is {@code 10.215.{run}.(10+i)}, libp2p on port 4001 and HTTP on 8080. Every address is a
 * test host of this machine: no packet leaves it. A partition adds, inside each namespace of one side,
 * a blackhole route to each address of the other side (and the reverse), so established connections
 * stall as on a real cut and resume when it heals. {@code run} (1–250) is the first free bridge name,
 * so concurrent runs do not collide. {@link #close} deletes the namespaces and the bridge.
 */
final class NamespaceNetwork implements Network {
    private final int run;
    private final int nodes;
    private final Set<List<Integer>> cuts = new HashSet<>();
    private boolean closed;

    private NamespaceNetwork(int run, int nodes) {
        this.run = run;
        this.nodes = nodes;
    }

    static NamespaceNetwork create(int nodes) {
        for (int run = 1; run <= 250; run++) {
            String bridge = "wsf" + run + "br";
            if (!Shell.run("ip", "link", "add", bridge, "type", "bridge").ok()) continue;
            NamespaceNetwork net = new NamespaceNetwork(run, nodes);
            Runtime.getRuntime().addShutdownHook(new Thread(net::close, "faults-network-cleanup"));
            try {
                net.setUp();
                return net;
            } catch (RuntimeException e) {
                net.close();
                throw e;
            }
        }
        throw new IllegalStateException("no free bridge name wsf1br..wsf250br");
    }

    private String bridge() { return "wsf" + run + "br"; }
    private String ns(int i) { return "wsf" + run + "n" + i; }

    private void setUp() {
        Shell.check("ip", "addr", "add", "10.215." + run + ".1/24", "dev", bridge());
        Shell.check("ip", "link", "set", bridge(), "up");
        for (int i = 0; i < nodes; i++) {
            String outer = "wsf" + run + "h" + i;
            String inner = "wsf" + run + "p" + i;
            Shell.check("ip", "netns", "add", ns(i));
            Shell.check("ip", "link", "add", outer, "type", "veth", "peer", "name", inner, "netns", ns(i));
            Shell.check("ip", "link", "set", outer, "master", bridge(), "up");
            Shell.check("ip", "-n", ns(i), "addr", "add", host(i) + "/24", "dev", inner);
            Shell.check("ip", "-n", ns(i), "link", "set", inner, "up");
            Shell.check("ip", "-n", ns(i), "link", "set", "lo", "up");
        }
    }

    @Override public String host(int i) { return "10.215." + run + "." + (10 + i); }
    @Override public int p2pPort(int i) { return 4001; }
    @Override public int httpPort(int i) { return 8080; }
    @Override public List<String> launcher(int i) { return List.of("ip", "netns", "exec", ns(i)); }
    @Override public boolean partitions() { return true; }

    /**
     * Adds the blackhole routes of the cut: one {@code ip -batch} per namespace, so each namespace is
     * cut at once and a partition of 5 nodes costs 5 commands instead of up to 12.
     */
    @Override
    public synchronized void partition(Set<Integer> side) {
        heal();
        for (int a = 0; a < nodes; a++) {
            StringBuilder batch = new StringBuilder();
            List<List<Integer>> added = new ArrayList<>();
            for (int b = 0; b < nodes; b++) {
                if (a != b && side.contains(a) != side.contains(b)) {
                    batch.append("route add blackhole ").append(host(b)).append("/32\n");
                    added.add(List.of(a, b));
                }
            }
            if (added.isEmpty()) continue;
            cuts.addAll(added); // before the command: a half-applied batch is healed too
            Shell.Result r = Shell.run(List.of("ip", "-n", ns(a), "-batch", "-"), batch.toString());
            if (!r.ok()) throw new IllegalStateException("partition of " + ns(a) + " failed: " + r.output());
        }
    }

    @Override
    public synchronized void heal() {
        List<String> failures = new ArrayList<>();
        for (int a = 0; a < nodes; a++) {
            StringBuilder batch = new StringBuilder();
            List<List<Integer>> mine = new ArrayList<>();
            for (List<Integer> cut : cuts) {
                if (cut.get(0) != a) continue;
                batch.append("route del blackhole ").append(host(cut.get(1))).append("/32\n");
                mine.add(cut);
            }
            if (mine.isEmpty()) continue;
            if (Shell.run(List.of("ip", "-n", ns(a), "-batch", "-"), batch.toString()).ok()) {
                mine.forEach(cuts::remove);
                continue;
            }
            for (List<Integer> cut : mine) { // some route was not there: one by one, a missing route is healed
                Shell.Result r = Shell.run("ip", "-n", ns(a), "route", "del", "blackhole", host(cut.get(1)) + "/32");
                if (r.ok() || r.output().contains("No such process")) cuts.remove(cut);
                else failures.add(r.output());
            }
        }
        if (!failures.isEmpty()) throw new IllegalStateException("heal failed: " + failures);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (int i = 0; i < nodes; i++) Shell.run("ip", "netns", "del", ns(i));
        Shell.run("ip", "link", "del", bridge());
    }
}
