package io.warpstats.bench.sim;

import io.warpstats.bench.cli.BenchCommandLine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The command line of the scale simulation. A value out of its range is bad input (exit 2) before anything runs. */
@Command(name = "ScaleSim", mixinStandardHelpOptions = true, version = "warpstats 0.1.0", sortOptions = false, usageHelpAutoWidth = true,
        description = {"The scale simulation: for every node count and shard count given, the production gossipsub router and"
                + " Merkle-CRDT engines on a simulated network with a virtual clock. Prints a markdown table, writes a CSV and a PNG"
                + " plot of bytes received per put per node (see docs/benchmarks.md, \"Scale simulation\")."})
final class ScaleSimCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "10,100,1000", split = ",", paramLabel = "N", description = "Node counts, each 2..5000 (default: ${DEFAULT-VALUE}).")
    List<Integer> nodes;

    @Option(names = "--shards", defaultValue = "1,16", split = ",", paramLabel = "S", description = "Shard counts, each 1..256 (default: ${DEFAULT-VALUE}).")
    List<Integer> shards;

    @Option(names = "--puts", defaultValue = "2000", paramLabel = "P", description = "Puts of the workload, 1..1000000 (default: ${DEFAULT-VALUE}).")
    int puts;

    @Option(names = "--rate", defaultValue = "200", paramLabel = "PUTS", description = "Puts per virtual second over the whole network, 1..1000000 (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--rebroadcast-ms", defaultValue = "10000", paramLabel = "MS", description = "Each engine re-announces its heads this often, 1..3600000 virtual ms (default: ${DEFAULT-VALUE}, production's).")
    int rebroadcastMs;

    @Option(names = "--png", defaultValue = "docs/img/scale-sim.png", paramLabel = "FILE", description = "The plot (default: ${DEFAULT-VALUE}).")
    Path png;

    @Option(names = "--csv", defaultValue = "scale-sim.csv", paramLabel = "FILE", description = "The figures as CSV (default: ${DEFAULT-VALUE}).")
    Path csv;

    @Option(names = "--from-csv", split = ",", paramLabel = "FILE", description = "Runs nothing: reads the figures of earlier runs from these CSVs (as --csv writes them) and writes the table, --csv and --png of them all.")
    @Nullable List<Path> fromCsv;

    @Override
    public Integer call() throws Exception {
        if (fromCsv != null) {
            List<ScaleResult> all = new ArrayList<>();
            for (Path f : fromCsv) all.addAll(ScaleOutput.readCsv(f));
            System.out.println(ScaleOutput.header());
            for (ScaleResult r : all) System.out.println(ScaleOutput.row(r));
            ScaleOutput.writeCsv(all, csv);
            ScaleOutput.writePng(all, png);
            return 0;
        }
        for (int n : nodes) check(n >= 2 && n <= 5000, "--nodes must be 2..5000, not " + n);
        for (int s : shards) check(s >= 1 && s <= 256, "--shards must be 1..256, not " + s);
        check(puts >= 1 && puts <= 1_000_000, "--puts must be 1..1000000, not " + puts);
        check(rate >= 1 && rate <= 1_000_000, "--rate must be 1..1000000, not " + rate);
        check(rebroadcastMs >= 1 && rebroadcastMs <= 3_600_000, "--rebroadcast-ms must be 1..3600000, not " + rebroadcastMs);
        List<ScaleResult> results = new ArrayList<>();
        System.out.println(ScaleOutput.header());
        for (int s : shards) {
            for (int n : nodes) {
                ScaleResult r = ScaleSim.runOnce(ScaleParams.of(n, s, puts, seed).withRebroadcastMs(rebroadcastMs).withPutsPerSecond(rate));
                results.add(r);
                System.out.println(ScaleOutput.row(r));
            }
        }
        ScaleOutput.writeCsv(results, csv);
        ScaleOutput.writePng(results, png);
        System.out.println("CSV: " + csv + ", plot: " + png);
        return 0;
    }

    private void check(boolean ok, String message) {
        if (!ok) throw BenchCommandLine.badInput(spec, message);
    }

    public static void main(String[] args) {
        System.exit(BenchCommandLine.execute(new ScaleSimCommand(), args));
    }
}
