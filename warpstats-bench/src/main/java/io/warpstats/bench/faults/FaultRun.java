package io.warpstats.bench.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code FaultRun}: one fault-injection run from the command line ({@code scripts/faults.sh}). Prints
 * progress and a summary; exit 0 when the checker found nothing, 1 when it found a violation (the
 * summary names the seed and the history file), 2 for bad flags.
 */
@Command(name = "faults", mixinStandardHelpOptions = true,
        description = "Node processes under a seeded storm of faults, checked against the client history.")
public final class FaultRun implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "5", description = "Node processes (2-9; default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--weight", defaultValue = "2",
            description = "How often every kind but the wipe occurs in one cycle of the schedule (1-10; a wipe once; default ${DEFAULT-VALUE}).")
    int weight;

    @Option(names = "--hold-scale", defaultValue = "1",
            description = "Factor of every hold time and gap of the schedule (0.1-1; the CI form uses 0.4; default ${DEFAULT-VALUE}).")
    double holdScale;

    @Option(names = "--seed", description = "Seed of the schedule (default: random, printed).")
    Long seed;

    @Option(names = "--minutes", defaultValue = "30", description = "Longest time faults are injected (default ${DEFAULT-VALUE}).")
    double minutes;

    @Option(names = "--faults-per-kind", defaultValue = "100000",
            description = "Stop once every kind was injected this often (default: run for --minutes).")
    int faultsPerKind;

    @Option(names = "--kinds", split = ",", description = "Fault kinds (default all): ${COMPLETION-CANDIDATES}.")
    List<FaultKind> kinds;

    @Option(names = "--clients", defaultValue = "4", description = "Client threads (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--posts", defaultValue = "8", description = "Posts (default ${DEFAULT-VALUE}).")
    int posts;

    @Option(names = "--quiet-seconds", defaultValue = "120", description = "Longest wait for agreement after healing (default ${DEFAULT-VALUE}).")
    int quietSeconds;

    @Option(names = "--dir", description = "Work directory (default: a new temporary directory).")
    Path dir;

    @Option(names = "--classpath", description = "Classpath of the node processes (default: this JVM's).")
    String classpath;

    @Override
    public Integer call() throws Exception {
        if (minutes <= 0 || minutes > 24 * 60) throw new CommandLine.ParameterException(new CommandLine(this), "--minutes must be in (0, 1440]");
        if (nodes < 2 || nodes > 9) throw new CommandLine.ParameterException(new CommandLine(this), "--nodes must be 2..9");
        long s = seed != null ? seed : new java.security.SecureRandom().nextLong() & Long.MAX_VALUE;
        Path work = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("warpstats-faults");
        if (quietSeconds < 1 || quietSeconds > 3600) throw new CommandLine.ParameterException(new CommandLine(this), "--quiet-seconds must be 1..3600");
        Scenario scenario;
        try {
            scenario = new Scenario(nodes, weight, holdScale, s, kinds == null || kinds.isEmpty() ? EnumSet.allOf(FaultKind.class) : EnumSet.copyOf(kinds),
                    faultsPerKind, Duration.ofMillis((long) (minutes * 60_000)), clients, posts, 4, Duration.ofSeconds(quietSeconds), work,
                    classpath != null ? classpath : System.getProperty("java.class.path"));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        FaultReport report = FaultRunner.run(scenario, System.out::println);
        System.out.print(report.summary());
        return report.passed() ? 0 : 1;
    }

    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new FaultRun()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(FaultKind.class, v -> FaultKind.valueOf(v.toUpperCase(java.util.Locale.ROOT).replace('-', '_')));
        System.exit(cl.execute(args));
    }
}
