package io.warpstats.bench.faults;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every operation and fault of a run, in memory (a 30-minute run at ~100 operations/s is ~200,000
 * records) and as JSON lines ({@code {"type":"op",…}} / {@code {"type":"fault",…}}) by {@link #write}.
 * Thread-safe: client threads and the nemesis add concurrently.
 */
final class History {
    private final long startNanos = System.nanoTime();
    private final AtomicLong opIds = new AtomicLong();
    private final List<Op> ops = new ArrayList<>();
    private final List<FaultEvent> faults = new ArrayList<>();

    /** Milliseconds since the run started. */
    long nowMs() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    long nextOpId() {
        return opIds.getAndIncrement();
    }

    synchronized void add(Op op) {
        ops.add(op);
    }

    synchronized void add(FaultEvent f) {
        faults.add(f);
    }

    synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    synchronized List<FaultEvent> faults() {
        return List.copyOf(faults);
    }

    /** Writes every fault and operation, in start order, as JSON lines. */
    void write(Path file) throws IOException {
        List<Object> all = new ArrayList<>();
        List<Op> o = ops();
        List<FaultEvent> f = faults();
        all.addAll(f);
        all.addAll(o);
        all.sort(java.util.Comparator.comparingLong(x -> x instanceof Op op ? op.startMs() : ((FaultEvent) x).startMs()));
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Object x : all) {
                ObjectNode n = NodeApi.JSON.createObjectNode().put("type", x instanceof Op ? "op" : "fault");
                n.setAll((ObjectNode) NodeApi.JSON.valueToTree(x));
                w.write(n.toString());
                w.newLine();
            }
        }
    }
}
