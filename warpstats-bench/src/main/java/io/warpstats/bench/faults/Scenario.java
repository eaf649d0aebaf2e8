package io.warpstats.bench.faults;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a fault-injection run does. The schedule of faults is drawn from {@code seed} alone.
 *
 * @param nodes         node processes (2–9)
 * @param weight        how often every kind but the wipe occurs in one cycle of the schedule (1–10; a wipe once)
 * @param holdScale     the factor of every hold time and gap of the schedule (0.1–1; 1 = the times in RELIABILITY.md)
 * @param seed          the nemesis schedule and the client choices
 * @param kinds         the fault kinds to inject (those the machine does not allow are dropped by the runner)
 * @param faultsPerKind the nemesis stops after this many faults of every kind, unless {@code duration} ends first
 * @param duration      the longest time faults are injected
 * @param clients       client threads
 * @param posts         distinct posts
 * @param usersPerNode  users each client thread owns per home node
 * @param quiet         after healing, how long the checker waits for the nodes to agree within the bounds
 * @param workDir       data directories, logs and the history
 * @param classpath     the classpath of the node processes
 */
public record Scenario(int nodes, int weight, double holdScale, long seed, Set<FaultKind> kinds, int faultsPerKind, Duration duration, int clients,
                       int posts, int usersPerNode, Duration quiet, Path workDir, String classpath) {
    public Scenario {
        if (nodes < 2 || nodes > 9) throw new IllegalArgumentException("nodes must be 2..9: " + nodes);
        if (weight < 1 || weight > 10) throw new IllegalArgumentException("weight must be 1..10: " + weight);
        if (!(holdScale >= 0.1 && holdScale <= 1)) throw new IllegalArgumentException("hold scale must be 0.1..1: " + holdScale);
        if (faultsPerKind < 0 || faultsPerKind > 100_000) throw new IllegalArgumentException("faults per kind must be 0..100000");
        if (clients < 1 || clients > 64) throw new IllegalArgumentException("clients must be 1..64");
        if (posts < 1 || posts > 1000) throw new IllegalArgumentException("posts must be 1..1000");
        if (usersPerNode < 1 || usersPerNode > 100) throw new IllegalArgumentException("users per node must be 1..100");
        kinds = kinds.isEmpty() ? EnumSet.noneOf(FaultKind.class) : EnumSet.copyOf(kinds);
    }

    /**
     * The CI form: 3 nodes, every kind, {@code faultsPerKind} of each, one of each kind a cycle, hold
     * times and gaps at {@link #CI_HOLD_SCALE} of the long form's (the times measured are in
     * RELIABILITY.md); faults stop after 14 minutes at the latest (a cap against a hang, far above
     * what a loaded machine needs: the count, not the time, is what the test asserts), and the test
     * then fails on the count.
     */
    public static Scenario ci(long seed, int faultsPerKind, Path workDir, String classpath) {
        return new Scenario(3, 1, CI_HOLD_SCALE, seed, EnumSet.allOf(FaultKind.class), faultsPerKind, Duration.ofMinutes(14), 3, 6, 4,
                Duration.ofSeconds(90), workDir, classpath);
    }

    /** The CI form's {@link #holdScale}. */
    public static final double CI_HOLD_SCALE = 0.4;
}
