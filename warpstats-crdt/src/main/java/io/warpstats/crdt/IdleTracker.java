package io.warpstats.crdt;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * The futures of {@code whenIdle}: each completes at the first check, after it was registered, that
 * finds the walk idle. What "idle" means, and the order in which its parts must be read, is the
 * walk's ({@link WalkScheduler#isIdle}); this class only guarantees that a waiter is completed by a
 * check that started after it was registered (a waiter registered during a check waits for the next
 * one), and that the idle test is not evaluated at all while nobody waits (the walk checks after
 * every step).
 *
 * <p>Concurrency: thread-safe; the waiter list is guarded by itself, the futures are completed
 * outside it, on the checking thread.
 */
final class IdleTracker {
    private final List<CompletableFuture<Void>> waiters = new ArrayList<>();

    /** A future completed at the next check that finds the walk idle. */
    CompletableFuture<Void> register() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (waiters) {
            waiters.add(f);
        }
        return f;
    }

    /** Completes the waiters registered so far if {@code idle} says so (not evaluated when none waits). */
    void check(BooleanSupplier idle) {
        List<CompletableFuture<Void>> waiting;
        synchronized (waiters) {
            if (waiters.isEmpty()) return;
            waiting = new ArrayList<>(waiters);
        }
        if (!idle.getAsBoolean()) return;
        synchronized (waiters) {
            waiters.removeAll(waiting);
        }
        waiting.forEach(f -> f.complete(null));
    }

    int waiting() {
        synchronized (waiters) {
            return waiters.size();
        }
    }
}
