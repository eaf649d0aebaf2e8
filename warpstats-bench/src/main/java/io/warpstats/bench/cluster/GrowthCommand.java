package io.warpstats.bench.cluster;

import io.warpstats.bench.cli.BenchCommandLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options of {@link GrowthBench}. A value out of its range is bad input (exit 2) before any node starts. */
@Command(name = "GrowthBench", mixinStandardHelpOptions = true, version = "warpstats 0.1.0", sortOptions = false, usageHelpAutoWidth = true,
        description = {"N views through the statistics API of 5 nodes on 127.0.0.1, then per node after a graceful stop: the apparent"
                + " bytes of its data directory, the live state's bytes and their ratio; then the time a new node with an empty"
                + " store takes to reach the same totals. Prints a markdown table (see docs/benchmarks.md, \"Growth\")."})
final class GrowthCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--n", defaultValue = "100000", paramLabel = "N", converter = ConvergenceCommand.Underscored.class,
            description = "Views written in total, 1..100000000; '_' allowed (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--compaction", defaultValue = "on", paramLabel = "on|off", description = "Compaction of the CRDT's history (default: ${DEFAULT-VALUE}).")
    String compaction;

    @Option(names = "--nodes", defaultValue = "5", paramLabel = "K", description = "Writing nodes, 1..16 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--posts", defaultValue = "10000", paramLabel = "P", converter = ConvergenceCommand.Underscored.class,
            description = "Posts the views are spread over, uniformly, 1..1000000 (default: ${DEFAULT-VALUE}).")
    int posts;

    @Option(names = "--tidy", defaultValue = "on", paramLabel = "on|off",
            description = "Once every node has the totals, every node finishes its reap and a due store compaction (MerkleCrdt.tidy) before it stops (default: ${DEFAULT-VALUE}).")
    String tidy;

    @Option(names = "--settle", defaultValue = "0", paramLabel = "S", description = "Seconds the nodes run idle after the writes before they stop, 0..3600 (default: ${DEFAULT-VALUE}).")
    int settle;

    @Option(names = "--timeout", defaultValue = "3600", paramLabel = "S", description = "Seconds allowed for each node, and the new one, to reach the totals, 1..86400 (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory of the nodes' data directories, kept afterwards (default: a temporary directory, deleted).")
    @Nullable Path dir;

    GrowthBench.Config config() {
        check(n >= 1 && n <= 100_000_000, "--n must be 1..100000000, not " + n);
        check(compaction.equals("on") || compaction.equals("off"), "--compaction must be on or off, not '" + compaction + "'");
        check(nodes >= 1 && nodes <= 16, "--nodes must be 1..16, not " + nodes);
        check(posts >= 1 && posts <= 1_000_000, "--posts must be 1..1000000, not " + posts);
        check(tidy.equals("on") || tidy.equals("off"), "--tidy must be on or off, not '" + tidy + "'");
        check(settle >= 0 && settle <= 3600, "--settle must be 0..3600, not " + settle);
        check(timeout >= 1 && timeout <= 86_400, "--timeout must be 1..86400, not " + timeout);
        return new GrowthBench.Config(n, compaction.equals("on"), nodes, posts, tidy.equals("on"), Duration.ofSeconds(settle), Duration.ofSeconds(timeout), dir);
    }

    @Override
    public Integer call() throws Exception {
        GrowthBench.report(config());
        return 0;
    }

    private void check(boolean ok, String message) {
        if (!ok) throw BenchCommandLine.badInput(spec, message);
    }
}
