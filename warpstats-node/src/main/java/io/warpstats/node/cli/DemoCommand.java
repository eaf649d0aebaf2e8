package io.warpstats.node.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code warpstats demo}: three {@code warpstats node} processes on loopback with RocksDB in a temporary
 * directory, a Zipf-skewed workload of users acting on posts through every node's HTTP API (node 3 killed
 * with SIGKILL mid-run and restarted on the same data directory and ports), then the totals per node
 * and the busiest posts as each node sees them next to the exact expected totals. Exit 0 only if every
 * node agrees with every expected total; 1 otherwise (or if a node or a request failed); 2 for bad flags.
 */
@Command(name = "demo", description = "Run 3 node processes on loopback, drive a workload over HTTP (one node killed with SIGKILL and restarted mid-run), check every node agrees.")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--keep", description = "Leave the nodes running afterwards and print the dashboard URLs (until Ctrl-C).")
    boolean keep;

    @Option(names = "--users", defaultValue = "3000", description = "Users (default ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--posts", defaultValue = "300", description = "Posts (default ${DEFAULT-VALUE}).")
    int posts;

    @Option(names = "--actions", defaultValue = "6000", description = "Actions in total (default ${DEFAULT-VALUE}).")
    int actions;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed of the workload (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--top", defaultValue = "10", description = "Rows of the table (default ${DEFAULT-VALUE}).")
    int top;

    @Override
    public Integer call() throws Exception {
        if (users < 6 || users > 1_000_000) throw new BadInputException("--users must be 6..1000000");
        if (posts < 1 || posts > 100_000) throw new BadInputException("--posts must be 1..100000");
        if (actions < 100 || actions > 10_000_000) throw new BadInputException("--actions must be 100..10000000");
        if (top < 1 || top > 1000) throw new BadInputException("--top must be 1..1000");
        return new Demo(users, posts, actions, seed, top, spec.commandLine().getOut(), spec.commandLine().getErr()).run(keep);
    }
}
