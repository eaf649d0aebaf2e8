package io.warpstats.p2p.pubsub;

import java.util.function.BooleanSupplier;

/** Waits for a condition, woken by {@link #signal()} (and re-checking at least every 100 ms), with a deadline. */
final class Waiter {
    private final Object lock = new Object();

    void signal() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) throw new AssertionError("timed out waiting for " + what);
                lock.wait(Math.min(left, 100));
            }
        }
    }
}
