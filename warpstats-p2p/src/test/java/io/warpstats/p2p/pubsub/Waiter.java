package io.warpstats.p2p.pubsub;

import java.util.function.BooleanSupplier;

/**
 * Waits for a condition, woken by {@link #signal()} (and re-checking at least every 100 ms), with a deadline.
 *
 * <p>The condition is evaluated <em>outside</em> the monitor. Conditions ask the pubsub router
 * (for example {@code peers(topic)}, a task on the router loop) while the router loop calls
 * {@link #signal()} from its event listeners; evaluating the condition under the monitor made the
 * two wait for each other until the 15 s future timeout (a {@code JsInteropTest} that failed now and then).
 * A signal counter makes sure a signal that arrives while the condition is being evaluated is not lost.
 */
final class Waiter {
    private final Object lock = new Object();
    private long signals;

    void signal() {
        synchronized (lock) {
            signals++;
            lock.notifyAll();
        }
    }

    void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            long seen;
            synchronized (lock) {
                seen = signals;
            }
            if (condition.getAsBoolean()) return;
            synchronized (lock) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) throw new AssertionError("timed out waiting for " + what);
                if (signals == seen) lock.wait(Math.min(left, 100));
            }
        }
    }
}
