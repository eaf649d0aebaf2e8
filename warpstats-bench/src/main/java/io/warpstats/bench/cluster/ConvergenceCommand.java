package io.warpstats.bench.cluster;

import io.warpstats.bench.cli.BenchCommandLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of {@link ConvergenceBench}: every flag of {@link ConvergenceBench.Config}, with the
 * defaults of {@link ConvergenceBench.Config#defaults()} (the acceptance configuration of issue 4).
 * A value out of its range is bad input (exit 2) before any node starts.
 */
@Command(name = "ConvergenceBench", mixinStandardHelpOptions = true, version = "warpstats 0.1.0", sortOptions = false, usageHelpAutoWidth = true,
        description = {"N replicas on 127.0.0.1 in one JVM, fully connected: per rate, the time from a put to its visibility on"
                + " every other node, bytes per put and CPU per put; then a node that missed a burst catches up.",
                "Prints one markdown table per phase (see docs/benchmarks.md).",
                "-Dwarpstats.bench.progress=SECONDS prints per-node counters while it runs."})
final class ConvergenceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "5", paramLabel = "N", description = "Replicas, 2..64 (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--rates", defaultValue = "1000,50000", split = ",", paramLabel = "RATE", converter = Underscored.class,
            description = "Puts/s in total for each convergence phase, in order; '_' allowed in numbers (default: ${DEFAULT-VALUE}).")
    int[] rates;

    @Option(names = "--warmup", defaultValue = "3", paramLabel = "S", description = "Seconds of load before each measured window (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--measure", defaultValue = "10", paramLabel = "S", description = "Seconds of the measured window (default: ${DEFAULT-VALUE}).")
    int measure;

    @Option(names = "--keys", defaultValue = "10000", paramLabel = "K", description = "Counter slots per node in a phase (default: ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--zipf", defaultValue = "1.0", paramLabel = "X", description = "Zipf exponent of the key choice, 0..10 (default: ${DEFAULT-VALUE}).")
    double zipf;

    @Option(names = "--flush-ms", defaultValue = "10", paramLabel = "MS", description = "Flush delay of each Merkle-CRDT (default: ${DEFAULT-VALUE}).")
    long flushMs;

    @Option(names = "--rebroadcast-ms", defaultValue = "1000", paramLabel = "MS", description = "Head rebroadcast interval of the pubsub broadcaster (default: ${DEFAULT-VALUE}).")
    long rebroadcastMs;

    @Option(names = "--catchup-puts", defaultValue = "100000", paramLabel = "P", description = "Puts the cut-off node misses; 0 skips the catch-up (default: ${DEFAULT-VALUE}).")
    int catchupPuts;

    @Option(names = "--catchup-keys", defaultValue = "10000", paramLabel = "K", description = "Keys of the catch-up burst, at least one per writer (default: ${DEFAULT-VALUE}).")
    int catchupKeys;

    @Option(names = "--catchup-rate", defaultValue = "50000", paramLabel = "R", description = "Puts/s of the catch-up burst in total (default: ${DEFAULT-VALUE}).")
    int catchupRate;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Runs of every phase; the tables show each and the median (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--io-threads", defaultValue = "1", paramLabel = "T", description = "Event-loop threads per host (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--samples-per-s", defaultValue = "200", paramLabel = "N", description = "Puts per second tracked to visibility (default: ${DEFAULT-VALUE}).")
    int samplesPerSecond;

    @Option(names = "--dir", paramLabel = "DIR", description = "Directory of the RocksDB stores, kept afterwards (default: a temporary directory, deleted).")
    @Nullable Path dir;

    /** The configuration of the parsed options; a value out of range is a {@code ParameterException} (exit 2). */
    ConvergenceBench.Config config() {
        check(nodes >= 2 && nodes <= 64, "--nodes must be 2..64, not " + nodes);
        check(rates.length > 0, "--rates needs at least one rate");
        for (int r : rates) check(r >= 1 && r <= 10_000_000, "--rates: every rate must be 1..10000000, not " + r);
        check(warmup >= 0 && warmup <= 3600, "--warmup must be 0..3600 seconds, not " + warmup);
        check(measure >= 1 && measure <= 3600, "--measure must be 1..3600 seconds, not " + measure);
        check(keys >= 1 && keys <= 10_000_000, "--keys must be 1..10000000, not " + keys);
        check(zipf >= 0 && zipf <= 10, "--zipf must be 0..10, not " + zipf);
        check(flushMs >= 0 && flushMs <= 60_000, "--flush-ms must be 0..60000, not " + flushMs);
        check(rebroadcastMs >= 1 && rebroadcastMs <= 3_600_000, "--rebroadcast-ms must be 1..3600000, not " + rebroadcastMs);
        check(catchupPuts >= 0, "--catchup-puts must be 0 or more, not " + catchupPuts);
        check(catchupPuts == 0 || catchupKeys >= nodes - 1 && catchupKeys <= 10_000_000,
                "--catchup-keys must be " + (nodes - 1) + "..10000000 (one per writing node at least), not " + catchupKeys);
        check(catchupRate >= 1, "--catchup-rate must be 1 or more, not " + catchupRate);
        check(runs >= 1 && runs <= 100, "--runs must be 1..100, not " + runs);
        check(ioThreads >= 1 && ioThreads <= 64, "--io-threads must be 1..64, not " + ioThreads);
        check(samplesPerSecond >= 1, "--samples-per-s must be 1 or more, not " + samplesPerSecond);
        return new ConvergenceBench.Config(nodes, rates.clone(), warmup, measure, keys, zipf, Duration.ofMillis(flushMs),
                Duration.ofMillis(rebroadcastMs), catchupPuts, catchupKeys, catchupRate, runs, ioThreads, samplesPerSecond, dir);
    }

    @Override
    public Integer call() throws Exception {
        ConvergenceBench.report(config());
        return 0;
    }

    private void check(boolean ok, String message) {
        if (!ok) throw BenchCommandLine.badInput(spec, message);
    }

    /** An int that may group its digits with '_' ({@code 50_000}). */
    static final class Underscored implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return Integer.valueOf(value.replace("_", ""));
        }
    }
}
