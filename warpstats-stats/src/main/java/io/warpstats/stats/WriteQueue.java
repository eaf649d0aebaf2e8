package io.warpstats.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group commit of the local database's writes. Callers {@linkplain #submit submit} an {@link Action}
 * and get a future; one writer thread takes everything queued (at most {@link #MAX_GROUP} at a time) and
 * hands the group to the committer, which stages every action, writes ONE synced batch and completes each
 * future. So many requests share one disk sync, and a future completes only after its action is durable.
 *
 * <p>Limits: at most {@link #MAX_QUEUED} actions wait; beyond that {@link #submit} fails at once with
 * {@link StatsException.Problem#BUSY} (nothing written). After {@link #close} every action still queued is
 * committed, and later ones fail with {@link StatsException.Problem#STORAGE}.
 *
 * <p>Thread-safe. The committer runs on the writer thread only, one group at a time; a future's dependent
 * stages registered without an executor run there too, so callers that do real work after a write
 * should use an {@code …Async} stage.
 */
final class WriteQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WriteQueue.class);
    /** Actions waiting for the writer, at most. */
    static final int MAX_QUEUED = 65_536;
    /** Actions in one synced batch, at most. */
    static final int MAX_GROUP = 4_096;

    /** An action waiting to be committed, and its caller's future. */
    record Queued(Action action, CompletableFuture<Void> done) {}

    private final BlockingQueue<Queued> queue = new ArrayBlockingQueue<>(MAX_QUEUED);
    private final Consumer<List<Queued>> committer;
    private final Thread writer;
    private volatile boolean closed;

    /** Starts the writer thread; {@code committer} must complete every future of the group it is given. */
    WriteQueue(Consumer<List<Queued>> committer) {
        this.committer = committer;
        this.writer = new Thread(this::run, "stats-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues {@code action}; the future completes once it is durable, or exceptionally with a {@link StatsException}. */
    CompletableFuture<Void> submit(Action action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new StatsException(StatsException.Problem.STORAGE, "the statistics service is closed"));
            return done;
        }
        Queued q = new Queued(action, done);
        if (!queue.offer(q)) {
            done.completeExceptionally(new StatsException(StatsException.Problem.BUSY,
                    "more than " + MAX_QUEUED + " writes are waiting for the local database; try again shortly"));
        } else if (closed && queue.remove(q)) { // closed meanwhile and the writer may be gone: not written
            done.completeExceptionally(new StatsException(StatsException.Problem.STORAGE, "the statistics service is closed"));
        }
        return done;
    }

    private void run() {
        List<Queued> group = new ArrayList<>();
        while (true) {
            Queued first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                first = null; // close() interrupts only after it stopped the submissions: drain and leave
            }
            if (first == null) {
                if (closed && queue.isEmpty()) {
                    return;
                }
                continue;
            }
            group.add(first);
            queue.drainTo(group, MAX_GROUP - 1);
            try {
                committer.accept(group);
            } catch (RuntimeException | Error e) {
                log.error("a group of {} writes failed", group.size(), e);
                StatsException failure = e instanceof StatsException se ? se
                        : new StatsException(StatsException.Problem.STORAGE, "the local database write failed: " + e, e);
                group.forEach(q -> q.done().completeExceptionally(failure)); // no effect on those already completed
            }
            group.clear();
        }
    }

    /** Stops taking actions, commits those queued (waiting at most 10 s) and stops the writer. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Queued q;
        while ((q = queue.poll()) != null) { // only if the writer did not finish in time
            q.done().completeExceptionally(new StatsException(StatsException.Problem.STORAGE, "the statistics service is closed"));
        }
    }
}
