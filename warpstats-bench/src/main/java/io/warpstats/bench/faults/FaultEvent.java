package io.warpstats.bench.faults;

import java.util.List;

/**
 * One fault as the history records it.
 *
 * @param seq     its index in the schedule
 * @param kind    what was injected
 * @param nodes   the nodes it hit (for a partition: one side; the other side is the rest)
 * @param holdMs  how long it was held (pause, partition, full disk); 0 for kill and wipe
 * @param startMs when it started, ms since the run started
 * @param endMs   when it was healed (for kill and wipe: when the node served again, or -1)
 * @param note    {@code injected}, or why it was not (e.g. {@code skipped: no checkpoint})
 */
public record FaultEvent(int seq, FaultKind kind, List<Integer> nodes, long holdMs, long startMs, long endMs, String note) {
    public FaultEvent {
        nodes = List.copyOf(nodes);
    }

    /** Whether the fault was really injected. */
    public boolean injected() {
        return note.startsWith("injected");
    }
}
