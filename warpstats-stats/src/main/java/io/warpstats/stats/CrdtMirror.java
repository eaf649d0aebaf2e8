package io.warpstats.stats;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.ViewRows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors the local database into the CRDT. Two durable records say what is not yet in the CRDT:
 * <ul>
 *   <li>the <b>watermark</b> {@code m/mirrored}: every write with a sequence number at most this is in the CRDT (a
 *       CRDT flush that started after its puts has completed), or its keys are in the outbox. A write while the CRDT
 *       is usable adds nothing for the mirror to its synced batch: its keys are put into the engine right after the
 *       batch ({@link #commit}), and the drain moves the watermark once a flush has covered them. The event log
 *       ({@link EventRecord}) names the keys of each write above the watermark, and its retention never removes one
 *       of those records;</li>
 *   <li>the <b>outbox</b> {@code o/{crdtKey}} → the sequence number of the write that last changed it. A key leaves
 *       it when a CRDT flush that started after its latest put has completed. Writes take it while the CRDT is not
 *       usable (then they also move the watermark), and so do the legacy import and the first migration.</li>
 * </ul>
 * When the CRDT fails or is detached, and when the service opens after a crash, the writes above the watermark are
 * <b>spilled</b>: their keys go to the outbox and the watermark to the newest write, in synced batches. So a replay
 * always starts from the outbox alone, and the records above the watermark are at most the writes of one drain
 * interval (plus a flush in progress, plus the register delay below) while the CRDT works. The value put is always
 * recomputed from the local database, so replays are idempotent. Every method that touches the outbox or the watermark
 * runs under {@code lock}.
 *
 * <p>This node's own registers (its view slots and activity times) wait for the register delay ({@link WaitingRegisters})
 * instead of being put with their write. The watermark stays below the first write of the oldest register still
 * waiting, so a crash or a failure spills and replays those writes like any other above the watermark; a close puts them
 * all before its last drain.
 */
final class CrdtMirror implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CrdtMirror.class);
    static final int REPLAY_CHUNK = 5000;
    /** At most this many chunks are replayed inside {@link #attach}; a larger outbox continues on the flusher. */
    static final int MAX_ATTACH_CHUNKS = 200;
    /** At most this many waiting registers are put after each group commit; the drain puts the rest that are due. */
    static final int PUTS_PER_WRITE = 8;

    private final LocalDb db;
    private final Aggregates view;
    private final PendingMembers pending;
    private final String nodeId;
    private final String incarnation;
    private final Object lock;
    private final ScheduledExecutorService flusher;
    private final Map<String, Long> inflight = new HashMap<>(); // guarded by lock: keys put since the last drain
    private final Map<String, Long> outboxed = new HashMap<>(); // guarded by lock: those put from the outbox
    private final WaitingRegisters waiting; // guarded by lock
    private final java.util.concurrent.locks.ReentrantLock drainLock = new java.util.concurrent.locks.ReentrantLock();
    private volatile @Nullable MerkleCrdt crdt;
    private volatile boolean healthy;
    private volatile boolean failing; // a failure was logged and no flush has succeeded since
    private volatile long mirrored; // guarded by lock (read without it by size): the durable watermark
    private long pushed; // guarded by lock: while healthy, every write up to this is in the engine
    private long retryAtNanos; // guarded by lock
    private @Nullable String replayAfter; // guarded by lock; null: no replay due
    private boolean replayDue; // guarded by lock

    CrdtMirror(LocalDb db, Aggregates view, PendingMembers pending, String nodeId, String incarnation, Object lock, long flushMillis,
               Duration registerDelay) {
        this.db = db;
        this.waiting = new WaitingRegisters(registerDelay, nodeId, incarnation);
        this.view = view;
        this.pending = pending;
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.lock = lock;
        synchronized (lock) {
            byte[] m = db.get(LocalKeys.MIRRORED);
            if (m == null) { // a store from before the watermark: its outbox holds every key not in the CRDT
                mirrored = db.getLong(LocalKeys.SEQ);
                db.write(db.batch().putLong(LocalKeys.MIRRORED, mirrored));
            } else {
                mirrored = Bytes.u64(m);
                spill(); // a crash left writes above the watermark: their keys go to the outbox now
            }
        }
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stats-outbox");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(() -> drainQuietly(false), flushMillis, flushMillis, TimeUnit.MILLISECONDS);
    }

    /** The attached CRDT if it is usable. */
    Optional<MerkleCrdt> usable() {
        MerkleCrdt c = crdt;
        return c != null && healthy ? Optional.of(c) : Optional.empty();
    }

    void attach(MerkleCrdt c) {
        synchronized (lock) {
            crdt = c;
            healthy = true;
            failing = false;
            migrateIfDue();
            spill();
            pushed = mirrored;
            replayDue = true;
            replayAfter = null;
            // the whole outbox goes into the engine before attach returns: a read right after it counts every
            // member the outbox holds (as pending), not only those a later drain would have replayed by then
            for (int chunks = 0; replayDue && healthy && chunks < MAX_ATTACH_CHUNKS; chunks++) {
                replayChunk(c);
            }
            if (!replayDue && inflight.isEmpty()) {
                return; // nothing replayed: the drain's timer is soon enough
            }
        }
        flusher.execute(() -> drainQuietly(false)); // the rest of a large outbox, and a prompt flush of what was replayed
    }

    void detach() {
        synchronized (lock) {
            spillQuietly();
            crdt = null;
            healthy = false;
            inflight.clear();
            outboxed.clear();
            waiting.clear(); // above the watermark: the spill took their writes
            pending.clear();
        }
    }

    /**
     * Writes {@code root}'s batch (the group's writes after sequence number {@code before}) and mirrors it. Called
     * under lock by the writer. With the CRDT usable the batch goes as staged and its CRDT keys are put into the
     * engine with the values just written (not read back); otherwise the keys go to the outbox in the same batch,
     * and the watermark follows when nothing is above it.
     */
    void commit(Staging root, long before) {
        if (usable().isEmpty()) {
            root.crdtKeys().forEach((k, s) -> root.putLong(LocalKeys.outbox(k), s));
            writeWithWatermark(root.batch(), before, root.seq());
            return;
        }
        db.write(root.batch());
        push(root.crdtKeys(), root::get, false, root.seq());
    }

    /**
     * Writes {@code batch}, the write {@code s} whose CRDT keys {@code keys} it already puts into the outbox (the
     * legacy import), and mirrors it. Called under lock; {@code before} is the sequence number before it.
     */
    void commitOutboxed(LocalDb.Batch batch, List<String> keys, long before, long s) {
        boolean direct = usable().isPresent();
        writeWithWatermark(batch, before, s); // its keys are durable in the outbox: the watermark may pass it
        if (direct) {
            Map<String, Long> m = new java.util.LinkedHashMap<>();
            keys.forEach(k -> m.put(k, s));
            push(m, db::get, true, s);
        }
    }

    /**
     * Writes {@code batch}, the writes after sequence number {@code before} up to {@code after} whose keys it puts
     * into the outbox; the watermark moves to {@code after} in the same batch when nothing was above it (a spill
     * that failed leaves records above it, which stay until a spill takes them). Under lock.
     */
    private void writeWithWatermark(LocalDb.Batch batch, long before, long after) {
        boolean level = mirrored == before;
        if (level) {
            batch.putLong(LocalKeys.MIRRORED, after);
        }
        db.write(batch);
        if (level) {
            mirrored = after;
        }
    }

    private void push(Map<String, Long> keys, Function<String, byte @Nullable []> local, boolean fromOutbox, long seq) {
        MerkleCrdt c = crdt;
        if (c == null || !healthy) {
            return;
        }
        try {
            long now = waiting.delays() ? System.nanoTime() : 0;
            for (Map.Entry<String, Long> k : keys.entrySet()) {
                if (!fromOutbox && waiting.hold(k.getKey(), k.getValue(), now)) {
                    continue;
                }
                putCurrent(c, k.getKey(), k.getValue(), local);
                inflight.put(k.getKey(), k.getValue());
                if (fromOutbox) {
                    outboxed.put(k.getKey(), k.getValue());
                }
            }
            pushed = Math.max(pushed, seq);
            int excess = waiting.excess();
            if (excess > 0) {
                putWaiting(c, true, excess); // the oldest, before their delay is over
            } else if (!waiting.isEmpty()) {
                putWaiting(c, false, PUTS_PER_WRITE); // spread over the writes: no burst of puts on the drain's turn
            }
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /**
     * Puts at most {@code max} waiting registers that are due ({@code all}: whether due or not, the oldest first) into the
     * engine, with their current local values. Under lock, with the CRDT usable.
     */
    private void putWaiting(MerkleCrdt c, boolean all, int max) {
        try {
            waiting.release(System.nanoTime(), all, max, (key, seq) -> {
                putCurrent(c, key, seq, db::get);
                inflight.put(key, seq);
            });
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    /**
     * Called when a CRDT operation failed: reads go local, the writes above the watermark are spilled to the outbox,
     * and the outbox is replayed when the CRDT works again.
     */
    void failed(Throwable e) {
        synchronized (lock) {
            pending.clear(); // the outbox replays every key, and the replay writes them again
            if (!failing) {
                log.warn("CRDT unavailable, writes go to the outbox until it works again: {}", e.toString());
            }
            failing = true;
            healthy = false;
            retryAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            inflight.clear(); // a flush after the failure does not show that what was put before it is durable
            outboxed.clear();
            waiting.clear(); // above the watermark: the spill below takes their writes
            spillQuietly();
        }
    }

    /** Keys in the outbox plus writes above the watermark: what is not yet known to be in the CRDT. O(1). */
    long size() {
        return db.outboxKeys() + Math.max(0, db.getLong(LocalKeys.SEQ) - mirrored);
    }

    /**
     * Moves the writes above the watermark into the outbox: for each record of the event log above it, its CRDT keys
     * ({@link EventRecord#crdtKeys}); the watermark moves with each synced batch of {@link #REPLAY_CHUNK} records, and
     * to the newest write at the end. Under lock.
     */
    private void spill() {
        long newest = db.getLong(LocalKeys.SEQ);
        long spilled = 0;
        while (mirrored < newest) {
            LocalDb.Batch b = db.batch();
            long[] last = {mirrored};
            int[] n = {0};
            db.scan(LocalKeys.EVENTS, LocalKeys.hex16(mirrored), (k, v) -> {
                long s = EventLogRetention.sequence(k);
                if (s > newest) {
                    return false;
                }
                EventRecord.crdtKeys(v, nodeId, incarnation).forEach(key -> b.putLong(LocalKeys.outbox(key), s));
                last[0] = s;
                return ++n[0] < REPLAY_CHUNK;
            });
            long upTo = n[0] < REPLAY_CHUNK || last[0] <= mirrored ? newest : last[0]; // records are dense: at the end, all seen
            db.write(b.putLong(LocalKeys.MIRRORED, upTo));
            mirrored = upTo;
            spilled += n[0];
        }
        if (spilled > 0) {
            log.info("{} writes not yet in the CRDT went to the outbox", spilled);
        }
    }

    private void spillQuietly() {
        try {
            spill();
        } catch (RuntimeException e) {
            log.warn("could not move the writes not yet in the CRDT to the outbox (their event records stay): {}", e.toString());
        }
    }

    private void putCurrent(MerkleCrdt c, String crdtKey, long seq, Function<String, byte @Nullable []> local) {
        byte[] value = currentValue(crdtKey, local);
        Optional<StatsKeys.Member> member = StatsKeys.parseMember(crdtKey);
        member.ifPresent(m -> pending.wrote(m.stat(), m.postId(), crdtKey, seq));
        if (value == null) {
            c.delete(crdtKey);
        } else {
            c.put(crdtKey, value);
        }
        member.ifPresent(m -> pending.written(m.stat(), m.postId(), crdtKey)); // its term is read again after the put
    }

    /** The value {@code crdtKey} must have according to the local database; {@code null}: absent. */
    byte @Nullable [] currentValue(String crdtKey) {
        return currentValue(crdtKey, db::get);
    }

    /** {@link #currentValue(String)} reading the local database through {@code local}. */
    private byte @Nullable [] currentValue(String crdtKey, Function<String, byte @Nullable []> local) {
        Optional<SlotKey> slot = SlotKey.parse(crdtKey);
        if (slot.isPresent()) {
            long[] totals = Bytes.longs(local.apply(LocalKeys.counter(slot.get().stat(), slot.get().postId())), 2);
            return Bytes.u64(slot.get().increment() ? totals[0] : totals[1]);
        }
        String[] p = crdtKey.split("/", -1);
        if (p.length == 4 && p[1].equals("likers")) {
            return local.apply(LocalKeys.like(p[2], p[3]));
        }
        if (p.length == 4 && p[1].equals("retweeters")) {
            return local.apply(LocalKeys.retweet(p[2], p[3]));
        }
        if (p.length == 4 && p[1].equals("replies")) {
            return local.apply(LocalKeys.reply(p[2], p[3]));
        }
        if (p.length == 4 && p[1].equals("activity") && p[3].equals(nodeId)) {
            byte[] mine = local.apply(LocalKeys.activity(p[2]));
            return mine == null ? null : Hlc.decode(mine, nodeId).encode();
        }
        if (p.length == 3 && p[1].equals("activity")) {
            return local.apply(LocalKeys.activity(p[2]));
        }
        throw new IllegalStateException("unexpected key in the outbox: " + crdtKey);
    }

    /** First attach of a CRDT store in this incarnation: every local total and member goes to the outbox. */
    private void migrateIfDue() {
        ViewRows rows = crdt.view(view);
        String marker = Aggregates.IMPORTED + incarnation;
        if (rows.get(marker).isPresent()) {
            return;
        }
        long seq = db.getLong(LocalKeys.SEQ);
        LocalDb.Batch[] batch = {db.batch()};
        long[] n = {0};
        db.scan(LocalKeys.COUNTERS, null, (k, v) -> {
            String[] p = k.split("/", -1);
            Stat stat = Stat.fromKey(p[1]).orElseThrow();
            if (stat != Stat.VIEWS) {
                return true; // likes, retweets and replies are their sets' sizes: the members follow below
            }
            long[] t = Bytes.longs(v, 2);
            batch[0].putLong(LocalKeys.outbox(new SlotKey(true, stat, p[2], nodeId, incarnation).key()), seq);
            if (stat.decrementable() && t[1] > 0) {
                batch[0].putLong(LocalKeys.outbox(new SlotKey(false, stat, p[2], nodeId, incarnation).key()), seq);
            }
            return flushIfBig(batch, n);
        });
        db.scan(LocalKeys.LIKES, null, (k, v) -> {
            String[] p = k.split("/", -1);
            batch[0].putLong(LocalKeys.outbox(StatsKeys.liker(p[1], p[2])), seq);
            return flushIfBig(batch, n);
        });
        db.scan(LocalKeys.RETWEETS, null, (k, v) -> {
            String[] p = k.split("/", -1);
            batch[0].putLong(LocalKeys.outbox(StatsKeys.retweeter(p[1], p[2])), seq);
            return flushIfBig(batch, n);
        });
        db.scan(LocalKeys.REPLIES, null, (k, v) -> {
            String[] p = k.split("/", -1);
            batch[0].putLong(LocalKeys.outbox(StatsKeys.reply(p[1], p[2])), seq);
            return flushIfBig(batch, n);
        });
        db.scan(LocalKeys.ACTIVITY, null, (k, v) -> {
            batch[0].putLong(LocalKeys.outbox(StatsKeys.activity(k.substring(2), nodeId)), seq);
            return flushIfBig(batch, n);
        });
        db.write(batch[0]);
        rows.put(marker, Bytes.u64(seq)); // only after the outbox that carries the import is durable
        log.info("imported {} local keys into the CRDT slots of incarnation {}", n[0], incarnation);
    }

    private boolean flushIfBig(LocalDb.Batch[] batch, long[] n) {
        n[0]++;
        if (batch[0].size() >= 10_000) {
            db.write(batch[0]);
            batch[0] = db.batch();
        }
        return true;
    }

    private void drainQuietly(boolean allRegisters) {
        try {
            drain(allRegisters);
        } catch (RuntimeException e) {
            log.warn("outbox drain failed: {}", e.toString());
        }
    }

    /**
     * One round: replay a chunk if due, put the registers whose delay is over (every waiting one if {@code allRegisters}:
     * a close; tests), flush the CRDT, drop outbox entries the flush made durable and move the watermark. One at a time.
     */
    void drain(boolean allRegisters) {
        drainLock.lock();
        try {
            drainOnce(allRegisters);
        } finally {
            drainLock.unlock();
        }
    }

    private void drainOnce(boolean allRegisters) {
        MerkleCrdt c;
        Map<String, Long> flushed;
        Map<String, Long> flushedOutbox;
        long covered;
        synchronized (lock) {
            c = crdt;
            if (c == null) {
                return;
            }
            if (!healthy) {
                if (System.nanoTime() - retryAtNanos < 0) {
                    return;
                }
                spill(); // nothing above the watermark then: the replay of the outbox is the whole replay
                healthy = true; // try again: replay everything
                pushed = mirrored;
                replayDue = true;
                replayAfter = null;
            }
            if (replayDue) {
                replayChunk(c);
            }
            if (healthy && !waiting.isEmpty()) {
                putWaiting(c, allRegisters, Integer.MAX_VALUE);
            }
            if (!healthy || (inflight.isEmpty() && waiting.covered(pushed) <= mirrored)) {
                return;
            }
            flushed = new HashMap<>(inflight);
            flushedOutbox = new HashMap<>(outboxed);
            covered = waiting.covered(pushed);
            inflight.clear();
            outboxed.clear();
        }
        try {
            c.flush().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            failed(e);
            return;
        }
        synchronized (lock) {
            if (failing) {
                failing = false;
                log.info("CRDT available again");
            }
            LocalDb.Batch batch = db.batch();
            for (Map.Entry<String, Long> e : flushed.entrySet()) {
                pending.flushed(e.getKey(), e.getValue());
            }
            for (Map.Entry<String, Long> e : flushedOutbox.entrySet()) {
                String ok = LocalKeys.outbox(e.getKey());
                if (db.getLong(ok) == e.getValue()) {
                    batch.delete(ok);
                }
            }
            boolean moved = covered > mirrored; // a spill since the snapshot may have moved it further
            if (moved) {
                batch.putLong(LocalKeys.MIRRORED, covered);
            }
            db.write(batch);
            if (moved) {
                mirrored = covered;
            }
        }
    }

    private void replayChunk(MerkleCrdt c) {
        List<String> keys = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        db.scan(LocalKeys.OUTBOX, replayAfter, (k, v) -> {
            keys.add(k.substring(LocalKeys.OUTBOX.length()));
            seqs.add(Bytes.u64(v));
            return keys.size() < REPLAY_CHUNK;
        });
        try {
            for (int i = 0; i < keys.size(); i++) {
                putCurrent(c, keys.get(i), seqs.get(i), db::get);
                inflight.put(keys.get(i), seqs.get(i));
                outboxed.put(keys.get(i), seqs.get(i));
            }
        } catch (RuntimeException e) {
            failed(e);
            return;
        }
        if (keys.size() < REPLAY_CHUNK) {
            replayDue = false;
            replayAfter = null;
            if (!keys.isEmpty()) {
                log.info("replayed the outbox into the CRDT");
            }
        } else {
            replayAfter = keys.get(keys.size() - 1);
        }
    }

    /** Stops the flusher after a last drain, which puts every waiting register. */
    @Override
    public void close() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (usable().isPresent()) {
            drainQuietly(true);
        }
        detach();
    }
}
