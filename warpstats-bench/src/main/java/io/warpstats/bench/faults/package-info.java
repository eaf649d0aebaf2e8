/**
 * A fault-injection harness in the style of Jepsen's counter and set checkers: node processes
 * ({@code warpstats node}) on their own network ({@link io.warpstats.bench.faults.Network}), clients
 * that record every HTTP operation as acknowledged, failed or indeterminate
 * ({@link io.warpstats.bench.faults.Op}), a nemesis that injects faults on a schedule drawn from one
 * seed ({@link io.warpstats.bench.faults.FaultKind}), and a checker that bounds every statistic of
 * every post by the history ({@link io.warpstats.bench.faults.Checker}).
 *
 * <p>Invariants: every operation that was sent is in the history exactly once with one outcome;
 * the checker's bounds use only acknowledged and indeterminate operations, so a node that reports a
 * value outside them lost an acknowledged operation or counted one twice; the schedule of faults
 * (kinds, targets, hold times, partition sides) is a function of the seed and the run's shape (kinds,
 * node count, weight, hold scale), so a seed replays the same schedule (the interleaving with client
 * operations depends on timing).
 *
 * <p>Entry points: {@link io.warpstats.bench.faults.FaultRun} (command line, {@code scripts/faults.sh})
 * and {@link io.warpstats.bench.faults.FaultRunner} (tests). Scenarios, runs and results:
 * {@code RELIABILITY.md}, "Fault injection".
 */
package io.warpstats.bench.faults;
