package io.warpstats.stats;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies an {@link EventLogPolicy} to the event log {@code e/{hex16 seq}} of the local database, on a thread of its
 * own. Records are removed oldest first (sequence order, which is also time order), in synced batches of at most
 * {@code chunk} deletes, at most {@code maxChunks} batches per run; a run stops at the first record that is young
 * enough and within the count, or above the mirror's watermark {@code m/mirrored} (a write not yet known to be in
 * the CRDT: {@link CrdtMirror} may still read its record; while the CRDT works, that is the last drain interval's
 * writes). Nothing else is touched: the writes that add records need no lock against it (they add keys above the
 * newest sequence number, it removes keys below).
 *
 * <p>The count of records is {@code m/seq − first + 1}: every write adds exactly one record with the next sequence
 * number, and removal only ever takes the oldest, so the records held are dense. Thread-safe.
 */
final class EventLogRetention implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventLogRetention.class);
    /** Deletes per synced batch. */
    static final int CHUNK = 10_000;
    /** Batches per run: a run removes at most {@code CHUNK × MAX_CHUNKS} = 1,000,000 records; the next run goes on. */
    static final int MAX_CHUNKS = 100;

    private final LocalDb db;
    private final Clock clock;
    private final EventLogPolicy policy;
    private final int chunk;
    private final int maxChunks;
    private final @Nullable ScheduledExecutorService timer;
    private @Nullable String lastRemoved; // guarded by this: scans start after it, not over the removed keys' tombstones

    private EventLogRetention(LocalDb db, Clock clock, EventLogPolicy policy, int chunk, int maxChunks, boolean background) {
        this.db = db;
        this.clock = clock;
        this.policy = policy;
        this.chunk = chunk;
        this.maxChunks = maxChunks;
        if (background) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "stats-event-retention");
                t.setDaemon(true);
                return t;
            });
            long every = policy.interval().toMillis();
            timer.scheduleWithFixedDelay(this::runQuietly, every, every, TimeUnit.MILLISECONDS);
        } else {
            timer = null;
        }
    }

    /** Runs {@code policy} on {@code db} every {@link EventLogPolicy#interval()} until closed. */
    static EventLogRetention start(LocalDb db, Clock clock, EventLogPolicy policy) {
        return new EventLogRetention(db, clock, policy, CHUNK, MAX_CHUNKS, true);
    }

    /** No thread: {@link #runOnce()} is called by the owner (tests, with small chunks). */
    static EventLogRetention manual(LocalDb db, Clock clock, EventLogPolicy policy, int chunk, int maxChunks) {
        return new EventLogRetention(db, clock, policy, chunk, maxChunks, false);
    }

    private void runQuietly() {
        try {
            long n = runOnce();
            if (n > 0) log.debug("event log: {} records removed", n);
        } catch (RuntimeException e) {
            log.warn("event log retention failed, retried in {}: {}", policy.interval(), e.toString());
        }
    }

    /** One run: removes the records beyond the policy, at most {@code chunk × maxChunks}; returns how many. */
    synchronized long runOnce() {
        long removed = 0;
        for (int c = 0; c < maxChunks; c++) {
            int n = removeChunk();
            removed += n;
            if (n < chunk) break;
        }
        return removed;
    }

    private int removeChunk() {
        long newest = db.getLong(LocalKeys.SEQ);
        byte[] m = db.get(LocalKeys.MIRRORED);
        long mirrored = m == null ? Long.MAX_VALUE : Bytes.u64(m);
        long cutoff = clock.millis() - policy.maxAge().toMillis();
        List<String> doomed = new ArrayList<>();
        db.scan(LocalKeys.EVENTS, lastRemoved == null ? null : lastRemoved.substring(LocalKeys.EVENTS.length()), (k, v) -> {
            if (sequence(k) > mirrored) return false; // the mirror may still need it (CrdtMirror): kept
            boolean tooMany = newest - sequence(k) + 1 > policy.maxRecords(); // records from this one to the newest
            if (!tooMany && time(v) >= cutoff) return false;
            doomed.add(k);
            return doomed.size() < chunk;
        });
        if (doomed.isEmpty()) return 0;
        LocalDb.Batch b = db.batch();
        doomed.forEach(b::delete);
        db.write(b);
        lastRemoved = doomed.get(doomed.size() - 1);
        return doomed.size();
    }

    /** The records held: the newest sequence number minus the oldest record's, plus one (0 when none). */
    long records() {
        long[] oldest = {-1};
        db.scan(LocalKeys.EVENTS, null, (k, v) -> {
            oldest[0] = sequence(k);
            return false;
        });
        return oldest[0] < 0 ? 0 : db.getLong(LocalKeys.SEQ) - oldest[0] + 1;
    }

    static long sequence(String key) {
        try {
            return Long.parseUnsignedLong(key.substring(LocalKeys.EVENTS.length()), 16);
        } catch (NumberFormatException e) {
            return 0; // not a record of this layout: the oldest possible, removed first
        }
    }

    /** The record's time (ms, the text before its first tab); 0 when unreadable, so it counts as old. */
    private static long time(byte[] value) {
        String s = Bytes.str(value);
        int tab = s.indexOf('\t');
        try {
            return Long.parseLong(tab < 0 ? s : s.substring(0, tab));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(10, TimeUnit.SECONDS); // a run in progress finishes its batch before the database closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
