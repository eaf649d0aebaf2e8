package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compacts the store's files in the background, so that the rows the reaper deletes, and the rows writes
 * overwrite, leave the disk (docs/crdt.md, "Compaction", "The store's files").
 *
 * <p>Why: RocksDB keeps a deleted or overwritten row in its SST files until a compaction merges the newer entry with
 * it, and its own compactions are driven by file counts and level sizes, not by garbage; in a small store whose
 * live state stays the same, the bottommost level holds the live rows and up to {@code level0_file_num_compaction_trigger}
 * (4) flushed memtables sit above it, made mostly of overwritten values and deleted blocks.
 *
 * <p>When: the garbage estimate is the growth of {@link KvStore#compactableBytes()} since the last compaction plus
 * the bytes the reaper deleted since ({@link #deleted}); a full compaction ({@link KvStore#compact()}) runs once the
 * estimate reaches max({@link CompactionOptions#storeCompactionMinBytes()}, half the compactable bytes the last one
 * left), so a compaction rewrites at most about twice the bytes it frees, and at most once per
 * {@link CompactionOptions#storeCompactionInterval()}. The estimate is checked at the end of every reaper pass
 * that deleted rows and on a timer of that interval.
 *
 * <p>Concurrency: every check and compaction runs on this class's own thread, one at a time (never the merging
 * or committing thread; a check asked for while one runs or waits is not queued twice). {@link #close(long)} lets a
 * running compaction and then a last check (a due compaction runs whatever the interval) go on until the close's
 * deadline ({@link CompactionOptions#closeBudget()}), then stops the thread and cancels what still runs
 * ({@link KvStore#cancelCompactions()}), waiting for it at most {@link #CLOSE_WAIT_MILLIS}.
 */
final class StoreCompactor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StoreCompactor.class);
    /** How long {@link #close} waits for a cancelled compaction to return. */
    static final long CLOSE_WAIT_MILLIS = 5_000;

    private final KvStore store;
    private final long minBytes;
    private final long intervalNanos;
    private final ScheduledExecutorService thread;
    private final LongAdder deletedBytes = new LongAdder();
    private final LongAdder runs = new LongAdder();
    private final AtomicBoolean checkQueued = new AtomicBoolean();
    private volatile boolean closed;
    // the fields below are used on the compaction thread only
    private volatile long leftBytes; // written on the compaction thread only
    private long lastEndNanos;
    private boolean ranOnce;

    StoreCompactor(KvStore store, CompactionOptions options, String name) {
        this.store = store;
        this.minBytes = options.storeCompactionMinBytes();
        this.intervalNanos = options.storeCompactionInterval().toNanos();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warpstats-compact-" + name);
            t.setDaemon(true);
            t.setPriority(Thread.NORM_PRIORITY - 1);
            return t;
        });
        thread.execute(() -> leftBytes = store.compactableBytes()); // the store as opened: its garbage is unknown, its growth is not
        long ms = Math.max(1, options.storeCompactionInterval().toMillis());
        thread.scheduleWithFixedDelay(this::checkQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Told by the reaper at the end of a pass: {@code bytes} of rows deleted (blocks and the element rows they carried). */
    void deleted(long bytes) {
        if (bytes <= 0 || closed) return;
        deletedBytes.add(bytes);
        if (deletedBytes.sum() >= Math.max(minBytes, leftBytes / 2)) requestCheck(); // leftBytes: a racy read, only a hint
    }

    /** Store compactions completed since the replica opened. */
    long compactions() {
        return runs.sum();
    }

    /**
     * Checks the estimate now, on the compaction thread (compacting if it is due); completes after.
     * {@code ignoreInterval}: a due compaction runs even within the interval of the last one ({@link MerkleCrdt#tidy}).
     */
    CompletableFuture<Void> checkNow(boolean ignoreInterval) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            thread.execute(() -> {
                checkQuietly(ignoreInterval);
                done.complete(null);
            });
        } catch (RejectedExecutionException e) {
            done.complete(null); // closed
        }
        return done;
    }

    private void requestCheck() {
        if (!checkQueued.compareAndSet(false, true)) return;
        try {
            thread.execute(() -> {
                checkQueued.set(false);
                checkQuietly();
            });
        } catch (RejectedExecutionException e) {
            checkQueued.set(false); // closed
        }
    }

    private void checkQuietly() {
        checkQuietly(false);
    }

    private void checkQuietly(boolean ignoreInterval) {
        try {
            check(ignoreInterval);
        } catch (RuntimeException e) {
            if (!closed) log.warn("background compaction of the store failed (tried again at the next check)", e);
        }
    }

    private void check(boolean ignoreInterval) {
        if (closed) return;
        long now = System.nanoTime();
        if (!ignoreInterval && ranOnce && now - lastEndNanos < intervalNanos) return; // the timer comes back within the interval
        long size = store.compactableBytes();
        long garbage = Math.max(0, size - leftBytes) + deletedBytes.sum();
        if (garbage < Math.max(minBytes, leftBytes / 2)) return;
        long deleted = deletedBytes.sumThenReset(); // deletions from now on count for the next one
        long t0 = System.nanoTime();
        if (closed || !store.compact()) {
            deletedBytes.add(deleted); // cancelled: not compacted
            return;
        }
        lastEndNanos = System.nanoTime();
        ranOnce = true;
        leftBytes = store.compactableBytes();
        runs.increment();
        log.debug("store compacted in {} ms: {} -> {} bytes (garbage estimate {})", (lastEndNanos - t0) / 1_000_000, size, leftBytes, garbage);
    }

    /** Stops the checks, cancels a running compaction and waits for it at most {@link #CLOSE_WAIT_MILLIS}. */
    @Override
    public void close() {
        close(System.nanoTime());
    }

    /**
     * Gives a running compaction, then a last check (ignoring the interval: a due compaction runs), until
     * {@code deadlineNanos} ({@link System#nanoTime()}); then stops the checks, cancels whatever still runs and waits
     * for it at most {@link #CLOSE_WAIT_MILLIS}.
     */
    void close(long deadlineNanos) {
        if (deadlineNanos - System.nanoTime() > 0) finalCheck(deadlineNanos);
        closed = true;
        thread.shutdownNow();
        try {
            // cancelled again each time: a compaction that started just as `closed` was set is cancelled too
            for (long waited = 0; waited < CLOSE_WAIT_MILLIS; waited += 50) {
                store.cancelCompactions();
                if (thread.awaitTermination(50, TimeUnit.MILLISECONDS)) return;
            }
            log.warn("the store compaction did not stop within {} ms; the store's close cancels it", CLOSE_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void finalCheck(long deadlineNanos) {
        boolean done = runUntil(thread, () -> {
            checkQuietly(true); // the interval does not hold a close back: the estimate alone decides
        }, deadlineNanos);
        if (!done) log.info("the store compaction did not finish within the close budget: cancelled (the next open compacts)");
    }

    /**
     * Runs {@code task} on {@code executor} and waits for it until {@code deadlineNanos} ({@link System#nanoTime()}):
     * true if it ran to its end (or the executor is shut down: nothing to wait for), false if the deadline came
     * first (the task goes on). For a close's bounded tidying.
     */
    static boolean runUntil(java.util.concurrent.Executor executor, Runnable task, long deadlineNanos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } finally {
                    done.complete(null);
                }
            });
            done.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException | ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
