package io.warpstats.p2p.testing;

import java.util.concurrent.TimeUnit;

/** Ending the child processes of tests: bounded, and never leaving one running. */
public final class Processes {
    private Processes() {}

    /**
     * Ends {@code process}: TERM, then KILL if it has not exited within 5 s, then at most 5 s more for
     * it to go. An interrupt kills it at once and keeps the thread's interrupt status.
     */
    public static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
