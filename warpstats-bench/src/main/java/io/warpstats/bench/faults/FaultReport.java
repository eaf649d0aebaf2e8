package io.warpstats.bench.faults;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The result of one run.
 *
 * @param seed            replays the schedule
 * @param nodes           node processes
 * @param network         {@code namespaces} or {@code loopback}
 * @param durationMs      from the first start to the verdict
 * @param opsByOutcome    operations by outcome
 * @param opsByKind       operations by kind
 * @param notOkByAnswer   operations not acknowledged, by outcome, status and problem (e.g. {@code FAIL 409 already-done})
 * @param faultsInjected  faults injected, by kind
 * @param faultsSkipped   planned faults not injected (e.g. a wipe without a checkpoint), by kind
 * @param convergedMs     from the end of the faults (all healed, clients stopped) to agreement within the bounds, -1 if never
 * @param restartMs       from each (re)start to the node serving: median and max
 * @param errors          the checker's violations (empty = the run is correct)
 * @param history         the history file (JSON lines)
 */
public record FaultReport(long seed, int nodes, String network, long durationMs, Map<Op.Outcome, Long> opsByOutcome,
                          Map<Op.Kind, Long> opsByKind, Map<String, Long> notOkByAnswer, Map<FaultKind, Integer> faultsInjected,
                          Map<FaultKind, Integer> faultsSkipped, long convergedMs, List<Long> restartMs,
                          List<String> errors, Path history) {

    public boolean passed() {
        return errors.isEmpty();
    }

    /** A few lines for a person: verdict, seed, counts, how to replay. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(passed() ? "PASS" : "FAIL").append(" seed=").append(seed).append(" nodes=").append(nodes)
                .append(" network=").append(network).append(" duration=").append(durationMs / 1000).append("s\n");
        b.append("operations: ").append(opsByOutcome).append(" by kind ").append(opsByKind).append('\n');
        b.append("not acknowledged: ").append(notOkByAnswer).append('\n');
        b.append("faults injected: ").append(faultsInjected).append(" skipped: ").append(faultsSkipped).append('\n');
        b.append("converged ").append(convergedMs).append(" ms after healing; restart to serving ms (median, max): ")
                .append(restartMs).append('\n');
        b.append("history: ").append(history).append('\n');
        for (String e : errors.subList(0, Math.min(errors.size(), 40))) b.append("  ").append(e).append('\n');
        if (errors.size() > 40) b.append("  … ").append(errors.size() - 40).append(" more\n");
        if (!passed()) b.append("replay: scripts/faults.sh --seed ").append(seed).append(" --nodes ").append(nodes).append('\n');
        return b.toString();
    }
}
