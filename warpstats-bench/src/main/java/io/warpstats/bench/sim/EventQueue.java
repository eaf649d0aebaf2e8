package io.warpstats.bench.sim;

import java.util.PriorityQueue;

/**
 * The virtual clock and its event queue: events run in time order, and in scheduling order at equal
 * times, all on the calling thread. Time moves only from event to event, so a run's outcome depends on
 * the events alone, never on the speed of the machine.
 */
final class EventQueue {
    private record Event(long at, long seq, Runnable action) {}

    private final PriorityQueue<Event> queue = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;
    private long executed;
    /** The thread that made the queue: the only one allowed to use it (an engine's own thread must never reach it). */
    private final Thread owner = Thread.currentThread();

    /** The virtual time in milliseconds. */
    long now() { return now; }

    /** Events run so far. */
    long executed() { return executed; }

    /** Runs {@code action} {@code delayMs} (≥ 0) after now. */
    void schedule(long delayMs, Runnable action) {
        if (delayMs < 0) throw new IllegalArgumentException("negative delay " + delayMs);
        if (Thread.currentThread() != owner) throw new IllegalStateException("scheduled from " + Thread.currentThread().getName() + ": the run is not deterministic");
        queue.add(new Event(now + delayMs, seq++, action));
    }

    /** Runs every event due at or before {@code until}, then sets the clock to {@code until}. */
    void runUntil(long until) {
        while (!queue.isEmpty() && queue.peek().at <= until) {
            Event e = queue.poll();
            now = e.at;
            executed++;
            e.action.run();
        }
        now = Math.max(now, until);
    }
}
