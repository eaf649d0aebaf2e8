package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Waiters complete at the first check that finds the walk idle; a waiter registered during a check waits for the next one. */
class IdleTrackerTest {
    @Test
    void completesWaitersOnlyWhenIdle() {
        IdleTracker idle = new IdleTracker();
        AtomicInteger evaluated = new AtomicInteger();
        idle.check(() -> {
            evaluated.incrementAndGet();
            return true;
        });
        assertThat(evaluated).as("not evaluated while nobody waits").hasValue(0);
        CompletableFuture<Void> f = idle.register();
        idle.check(() -> false);
        assertThat(f).isNotDone();
        assertThat(idle.waiting()).isEqualTo(1);
        idle.check(() -> true);
        assertThat(f).isCompleted();
        assertThat(idle.waiting()).isZero();
    }

    @Test
    void aWaiterRegisteredDuringACheckWaitsForTheNextOne() {
        IdleTracker idle = new IdleTracker();
        CompletableFuture<Void> first = idle.register();
        CompletableFuture<?>[] late = new CompletableFuture<?>[1];
        idle.check(() -> {
            late[0] = idle.register(); // e.g. whenIdle() called while a pump reads the walk's state
            return true;
        });
        assertThat(first).isCompleted();
        assertThat(late[0]).isNotDone();
        idle.check(() -> true);
        assertThat(late[0]).isCompleted();
    }
}
