package io.warpstats.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One run: starts the cluster, the clients and the nemesis; heals; stops the clients; waits up to
 * {@link Scenario#quiet} for the nodes to agree within the bounds; checks; writes the history to
 * {@code workDir/history.jsonl} (always); tears everything down (processes, mounts, namespaces).
 * Kinds the machine does not allow are dropped: partitions need network namespaces, full disks a
 * tmpfs per node (both need root).
 */
public final class FaultRunner {
    private FaultRunner() {}

    /** Runs the scenario; {@code log} gets progress lines. */
    public static FaultReport run(Scenario s, java.util.function.Consumer<String> log) throws Exception {
        long t0 = System.nanoTime();
        History history = new History();
        Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
        kinds.addAll(s.kinds());
        Network network = Network.open(s.nodes(), kinds.contains(FaultKind.PARTITION) || kinds.contains(FaultKind.DISK_FULL));
        boolean root = network instanceof NamespaceNetwork;
        if (!network.partitions()) kinds.remove(FaultKind.PARTITION);
        if (!root) kinds.remove(FaultKind.DISK_FULL);
        List<String> posts = new ArrayList<>();
        for (int p = 0; p < s.posts(); p++) posts.add(Workload.post(p));
        Nemesis nemesis = null;
        Workload workload = null;
        long convergedMs = -1;
        List<String> errors = new ArrayList<>();
        try (Cluster cluster = new Cluster(s, network, root)) {
            log.accept("faults: seed " + s.seed() + ", " + s.nodes() + " nodes on " + (root ? "namespaces" : "loopback")
                    + ", kinds " + kinds + ", work dir " + s.workDir());
            for (int i = 0; i < s.nodes(); i++) cluster.start(i);
            if (!cluster.awaitAllReady(Cluster.READY_TIMEOUT_MS)) throw new IllegalStateException("the nodes did not start; logs in " + s.workDir());
            workload = new Workload(cluster.nodes, cluster.urls(), cluster.token, s, history);
            workload.start();
            nemesis = new Nemesis(cluster, workload, history, posts);
            long deadline = System.nanoTime() + s.duration().toNanos();
            try {
                nemesis.run(Nemesis.schedule(s.seed(), kinds, s.nodes(), s.weight(), s.holdScale()), kinds, s.faultsPerKind(), deadline);
            } finally {
                nemesis.healAll();
            }
            log.accept("faults: injected " + nemesis.injected() + "; healing, waiting for every node to serve");
            if (!cluster.awaitAllReady(Cluster.READY_TIMEOUT_MS)) errors.add("a node did not serve again after healing");
            workload.stop();
            long healed = System.nanoTime();
            long quietDeadline = healed + s.quiet().toNanos();
            List<String> last = List.of("not checked");
            while (System.nanoTime() < quietDeadline) {
                last = checkNow(cluster, history.ops(), posts);
                if (last.isEmpty()) {
                    convergedMs = (System.nanoTime() - healed) / 1_000_000;
                    break;
                }
                Thread.sleep(500); // polling the nodes' state over HTTP
            }
            errors.addAll(last);
            for (NodeProcess n : cluster.nodes) {
                if (!n.alive()) errors.add("node " + n.index + " is not running (log " + n.log() + ")");
            }
            if (!errors.isEmpty()) cluster.keepData(log);
            return report(s, root, t0, history, nemesis, convergedMs, cluster, errors);
        } finally {
            if (workload != null) workload.stop();
            history.write(s.workDir().resolve("history.jsonl"));
        }
    }

    private static List<String> checkNow(Cluster cluster, List<Op> ops, List<String> posts) throws InterruptedException {
        NodeApi api = cluster.api();
        List<Map<String, Checker.Reading>> readings = new ArrayList<>();
        List<Map<String, Set<String>>> likers = new ArrayList<>();
        List<String> readErrors = new ArrayList<>();
        for (int n = 0; n < cluster.nodes.size(); n++) {
            Map<String, Checker.Reading> r = new HashMap<>();
            Map<String, Set<String>> l = new HashMap<>();
            for (String p : posts) {
                try {
                    JsonNode j = api.stats(n, p);
                    r.put(p, j == null ? Checker.Reading.UNKNOWN : new Checker.Reading(j.path("likes").asLong(), j.path("retweets").asLong(),
                            j.path("replies").asLong(), j.path("views").asLong(), j.path("source").asText()));
                    l.put(p, api.likers(n, p));
                } catch (IOException e) {
                    readErrors.add("node " + n + " post " + p + ": " + e.getMessage());
                }
            }
            readings.add(r);
            likers.add(l);
        }
        List<String> errors = new ArrayList<>(readErrors);
        errors.addAll(Checker.check(ops, posts, readings, likers));
        return errors;
    }

    private static FaultReport report(Scenario s, boolean root, long t0, History history, Nemesis nemesis, long convergedMs,
                                      Cluster cluster, List<String> errors) {
        List<Op> ops = history.ops();
        Map<Op.Outcome, Long> byOutcome = new TreeMap<>(ops.stream().collect(Collectors.groupingBy(Op::outcome, Collectors.counting())));
        Map<Op.Kind, Long> byKind = new TreeMap<>(ops.stream().collect(Collectors.groupingBy(Op::kind, Collectors.counting())));
        Map<String, Long> notOk = new TreeMap<>(ops.stream().filter(o -> o.outcome() != Op.Outcome.OK)
                .collect(Collectors.groupingBy(o -> o.outcome() + " " + o.status() + " " + o.problem(), Collectors.counting())));
        Map<FaultKind, Integer> skipped = new EnumMap<>(FaultKind.class);
        for (FaultEvent f : history.faults()) if (!f.injected()) skipped.merge(f.kind(), 1, Integer::sum);
        List<Long> restarts = cluster.restartMs.stream().sorted().toList();
        List<Long> restartSummary = restarts.isEmpty() ? List.of() : List.of(restarts.get(restarts.size() / 2), restarts.get(restarts.size() - 1));
        return new FaultReport(s.seed(), s.nodes(), root ? "namespaces" : "loopback", (System.nanoTime() - t0) / 1_000_000,
                byOutcome, byKind, notOk, nemesis.injected(), skipped, convergedMs, restartSummary, errors, s.workDir().resolve("history.jsonl"));
    }
}
