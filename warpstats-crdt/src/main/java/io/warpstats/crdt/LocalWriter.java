package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local writes: the pending generation, flush pacing and backpressure, and the chain of signed
 * local blocks a flush builds.
 *
 * <h2>Generations</h2>
 * {@link #put}/{@link #delete} only touch the current {@link PendingWrites} (key → latest value):
 * N puts of a key between two flushes become one element. A flush swaps in an empty generation,
 * keeps the old one readable as {@link #flushing} until its blocks are durable, and merges it back
 * under the newer writes if the store write fails (nothing is lost, nothing is reordered).
 *
 * <h2>When a flush runs</h2>
 * After the {@link FlushPacer}'s delay (the configured {@code flushDelay}, longer while generations
 * are large), at once on the scheduler when the generation reaches {@code maxBatchKeys} keys, on
 * {@link #flush} and at close. At {@code maxPendingKeys} pending keys a writer flushes the generation
 * itself (backpressure): writers never outrun the store by more than one bound, and a failed flush
 * is thrown to the writer. A size flush asked for while another flush ran is not lost.
 *
 * <h2>The blocks</h2>
 * A generation becomes one delta whose priority is max(head height) + 1, linking to all heads of
 * this replica's DAG (arXiv 2004.00107, the Merkle-clock); a generation too large for one block becomes a
 * chain, each block linking to the heads the previous one left, each under
 * {@link MerkleCrdtOptions#MAX_BLOCK_BUDGET} bytes and at most {@code maxBatchKeys} entries, all in
 * ONE stage: the whole generation is durable, or none of it. A signed delta's signature covers the
 * payload with the author set and the signature empty (go-ds-crdt's signing payload). Small blocks
 * are handed to {@link HeadTracker#freshLocal} only once durable, for the eager push.
 *
 * <p>Concurrency: writers call {@link #put}/{@link #delete} from any thread, holding
 * {@code pendingLock}'s read lock while they touch the current generation; a flush swaps the
 * generation under its write lock. {@code flushLock} serialises flushes (timer and size flushes on
 * the engine's scheduler thread, {@link #flush} and backpressure on the caller's); a flush takes
 * {@link GroupCommit}'s write lock inside {@code flushLock}, never the other way round. A writer
 * that already holds either lock (a change listener writing) skips backpressure: never a deadlock.
 */
final class LocalWriter {
    private static final Logger log = LoggerFactory.getLogger(LocalWriter.class);
    private static final byte[] EMPTY = new byte[0];
    /** A value that cannot fit a block even alone is refused by put. */
    static final int MAX_VALUE_BYTES = MerkleCrdtOptions.MAX_BLOCK_BUDGET - Element.MAX_KEY_BYTES - 1024;

    private final MerkleCrdtOptions options;
    private final Keys keys;
    private final KvStore store;
    private final DeltaSigner signer;
    private final GroupCommit commit;
    private final HeadTracker heads;
    private final ScheduledExecutorService scheduler;
    private final String tag;
    private final FlushPacer pacer;
    private final ReentrantReadWriteLock pendingLock = new ReentrantReadWriteLock();
    private volatile PendingWrites current = new PendingWrites();
    /** The generation being flushed (readable until durable), or null. */
    private volatile PendingWrites flushing;
    private final AtomicBoolean flushArmed = new AtomicBoolean();
    private final AtomicBoolean sizeFlushRequested = new AtomicBoolean();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final LongAdder puts = new LongAdder();
    private final LongAdder localBlocks = new LongAdder();
    private final LongAdder pressureWaits = new LongAdder();
    private final LongAdder checkpoints = new LongAdder();
    /** This store's epoch, written into every local delta (empty: compaction off, go-ds-crdt's bytes). */
    private final byte[] epoch;
    private final Checkpointer checkpointer;
    private final AtomicBoolean checkpointRequested = new AtomicBoolean();
    private final AtomicBoolean quietCheckArmed = new AtomicBoolean();
    /** When the last flush that wrote a block ended ({@link System#nanoTime()}). */
    private volatile long lastFlushNanos;
    /** A due checkpoint waits until no local flush came for this long ({@link Checkpointer}, "When"). */
    static final Duration QUIET = Duration.ofMillis(500);

    /**
     * @param scheduler    runs timer and size flushes and checkpoints (the engine's single scheduler thread)
     * @param epoch        this store's epoch, or empty when this replica writes no checkpoints
     * @param checkpointer what a checkpoint restates and when one is due
     */
    LocalWriter(MerkleCrdtOptions options, Keys keys, KvStore store, DeltaSigner signer, GroupCommit commit, HeadTracker heads,
                ScheduledExecutorService scheduler, String tag, byte[] epoch, Checkpointer checkpointer) {
        this.epoch = epoch;
        this.checkpointer = checkpointer;
        this.options = options;
        this.keys = keys;
        this.store = store;
        this.signer = signer;
        this.commit = commit;
        this.heads = heads;
        this.scheduler = scheduler;
        this.tag = tag;
        this.pacer = new FlushPacer(options.flushDelay());
    }

    static void checkKey(String key) {
        if (key.isEmpty()) throw new IllegalArgumentException("empty key");
        if (key.length() > Element.MAX_KEY_BYTES) throw new IllegalArgumentException("key longer than " + Element.MAX_KEY_BYTES);
        if (key.indexOf('\0') >= 0) throw new IllegalArgumentException("key contains NUL");
    }

    void put(String key, byte[] value) {
        checkKey(key);
        if (value == null) throw new NullPointerException("value");
        if (value.length > MAX_VALUE_BYTES) throw new IllegalArgumentException("value longer than " + MAX_VALUE_BYTES + " bytes");
        if (commit.isClosed()) throw new IllegalStateException("closed");
        if (current.size() >= options.maxPendingKeys()) backpressure();
        boolean full;
        pendingLock.readLock().lock();
        try {
            full = current.put(key, value) >= options.maxBatchKeys();
        } finally {
            pendingLock.readLock().unlock();
        }
        afterWrite(full);
    }

    void delete(String key) {
        checkKey(key);
        if (commit.isClosed()) throw new IllegalStateException("closed");
        if (current.size() >= options.maxPendingKeys()) backpressure();
        boolean full;
        pendingLock.readLock().lock();
        try {
            full = current.delete(key) >= options.maxBatchKeys();
        } finally {
            pendingLock.readLock().unlock();
        }
        afterWrite(full);
    }

    /** The current generation (reads overlay it on the store). */
    PendingWrites current() {
        return current;
    }

    /** The generation being flushed, or null. Read it before {@link #current}: a key moves from current to flushing, never back. */
    PendingWrites flushing() {
        return flushing;
    }

    /** Keys waiting for a flush: the current generation plus the one being flushed. */
    int pendingKeys() {
        PendingWrites f = flushing;
        return current.size() + (f == null ? 0 : f.size());
    }

    /** Times a writer had to wait for a flush because {@code maxPendingKeys} keys were pending. */
    long backpressureWaits() {
        return pressureWaits.sum();
    }

    long puts() {
        return puts.sum();
    }

    long localBlocks() {
        return localBlocks.sum();
    }

    private void backpressure() {
        if (commit.heldByCurrentThread() || flushLock.isHeldByCurrentThread()) return; // a listener writing: never deadlock
        pressureWaits.increment();
        flush();
    }

    private void afterWrite(boolean full) {
        puts.increment();
        if (full) {
            if (sizeFlushRequested.compareAndSet(false, true)) scheduler.execute(this::flushQuietly);
        } else if (!flushArmed.get() && !options.flushDelay().isZero() && flushArmed.compareAndSet(false, true)) {
            scheduler.schedule(this::flushQuietly, pacer.delayNanos(), TimeUnit.NANOSECONDS); // flushDelay, longer under load
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            if (!commit.isClosed()) log.error("flush failed (changes kept, retried on the next flush)", e);
        }
    }

    /**
     * Flushes the current generation: durable on return, then announced (with the eager push).
     * Throws if the store write fails (the generation is merged back into the pending writes).
     */
    void flush() {
        flushLock.lock();
        try {
            sizeFlushRequested.set(false);
            flushArmed.set(false);
            PendingWrites gen;
            pendingLock.writeLock().lock();
            try {
                gen = current;
                if (gen.isEmpty()) return;
                flushing = gen;
                current = new PendingWrites(gen.size()); // sized like the last one: a busy writer does not rehash
            } finally {
                pendingLock.writeLock().unlock();
            }
            try {
                long bytes = writeLocal(gen);
                pacer.flushed(gen.size());
                lastFlushNanos = System.nanoTime();
                switch (checkpointer.afterFlush(bytes)) {
                    case NOW -> requestCheckpoint();
                    case WHEN_QUIET -> armQuietCheck(QUIET.toNanos());
                    case NOTHING -> { }
                }
            } catch (RuntimeException e) {
                pendingLock.writeLock().lock();
                try {
                    current.mergeOlder(gen);
                } finally {
                    pendingLock.writeLock().unlock();
                }
                throw e;
            } finally {
                flushing = null;
            }
        } finally {
            flushLock.unlock();
        }
        heads.announceFresh();
        // a size flush requested while this one ran (the writer kept going): do not lose it
        if (!commit.isClosed() && current.size() >= options.maxBatchKeys() && sizeFlushRequested.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::flushQuietly);
            } catch (RuntimeException e) {
                sizeFlushRequested.set(false); // closing
            }
        }
    }

    /** Writes a generation as a chain of blocks in one stage (see the class comment); returns the bytes written. */
    private long writeLocal(PendingWrites gen) {
        commit.lock();
        try {
            commit.commit(); // remote blocks staged so far go first, on their own (and the scans below see them)
            List<Element> tombs = new ArrayList<>();
            for (String k : gen.sortedDeletes()) {
                byte[] prefix = keys.elementPrefix(k);
                store.scan(prefix, (sk, sv) -> {
                    tombs.add(Element.tombstone(k, new String(sk, prefix.length, sk.length - prefix.length, StandardCharsets.UTF_8)));
                    return true;
                });
            }
            List<Element> elems = gen.sortedElements();
            if (elems.isEmpty() && tombs.isEmpty()) return 0;
            return writeChain(tombs, elems, List.of(), false);
        } finally {
            commit.unlock();
        }
    }

    /** Checks for a due checkpoint after {@code delayNanos} (once, however often asked until it runs). */
    private void armQuietCheck(long delayNanos) {
        if (!quietCheckArmed.compareAndSet(false, true)) return;
        try {
            scheduler.schedule(this::quietCheck, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            quietCheckArmed.set(false); // closing
        }
    }

    /** Whether a local flush wrote a block within the last {@link #QUIET}: this replica is being written to. */
    boolean writtenLately() {
        return nanosSinceLastFlush() < QUIET.toNanos();
    }

    private long nanosSinceLastFlush() {
        return System.nanoTime() - lastFlushNanos;
    }

    /** Asks for the due checkpoint if no flush came for {@link #QUIET}; else looks again when it may have. */
    private void quietCheck() {
        quietCheckArmed.set(false);
        long idle = nanosSinceLastFlush();
        if (idle < QUIET.toNanos()) {
            armQuietCheck(QUIET.toNanos() - idle);
            return;
        }
        boolean due;
        flushLock.lock();
        try {
            due = checkpointer.due();
        } finally {
            flushLock.unlock();
        }
        if (due) requestCheckpoint(); // the one path of both triggers: a checkpoint already asked for is not asked twice
    }

    /** Asks the scheduler for a checkpoint (once, however often asked until it runs). */
    void requestCheckpoint() {
        if (!checkpointRequested.compareAndSet(false, true)) return;
        try {
            scheduler.execute(this::checkpointQuietly);
        } catch (RuntimeException e) {
            checkpointRequested.set(false); // closing
        }
    }

    /** The timer's checkpoint: only if this replica wrote anything since the last one. */
    void checkpointIfWritten() {
        flushLock.lock();
        try {
            if (checkpointer.anythingSince()) checkpoint();
        } finally {
            flushLock.unlock();
        }
    }

    private void checkpointQuietly() {
        checkpointRequested.set(false);
        try {
            checkpoint();
        } catch (RuntimeException e) {
            if (!commit.isClosed()) log.error("checkpoint failed (retried at the next trigger)", e);
        }
    }

    /**
     * Writes a checkpoint of this replica's lineage (docs/crdt.md, "Compaction"): flushes the pending
     * writes, then restates the lineage's live elements and held tombstones as a chain of blocks in one
     * stage. A no-op when this replica writes no checkpoints. Durable on return, then announced.
     */
    void checkpoint() {
        if (epoch.length == 0 || commit.isClosed()) return;
        flushLock.lock();
        try {
            flush();
            long bytes;
            commit.lock();
            try {
                commit.commit();
                byte[] lineage = Keys.lineage(signer == null ? EMPTY : signer.authorId(), epoch);
                Checkpointer.Content c = checkpointer.content(store, lineage, commit.coverage().coveredBelow(null, lineage));
                bytes = writeChain(c.tombstones(), List.of(), c.restated(), true);
            } finally {
                commit.unlock();
            }
            checkpointer.written(bytes);
            checkpoints.increment();
        } finally {
            flushLock.unlock();
        }
        heads.announceFresh();
    }

    long checkpoints() {
        return checkpoints.sum();
    }

    /** Blocks of one chain: tombstones first, then elements (or restated elements of a checkpoint). */
    private record Chunk(List<Element> tombstones, List<Element> elements, List<CheckpointPart.Restated> restated) {}

    /**
     * Writes tombstones, then elements, then restated elements as a chain of blocks in one stage and
     * commits it; a checkpoint's blocks are numbered parts (at least one, even if empty). Caller holds
     * the write lock. Returns the bytes written; on failure the stage is dropped (all or nothing).
     */
    private long writeChain(List<Element> tombs, List<Element> elems, List<CheckpointPart.Restated> restated, boolean checkpoint) {
        String dag = options.dagName();
        Stage s = commit.stage();
        List<Chunk> chunks = split(tombs, elems, restated, MerkleCrdtOptions.MAX_BLOCK_BUDGET - 2048L - 48L * s.heads(dag).size());
        if (chunks.isEmpty() && checkpoint) chunks.add(new Chunk(List.of(), List.of(), List.of()));
        Map<Cid, byte[]> fresh = new HashMap<>();
        long written = 0;
        try {
            for (int i = 0; i < chunks.size(); i++) {
                Chunk ch = chunks.get(i);
                Map<Cid, Long> mine = s.heads(dag);
                List<Cid> links = new ArrayList<>(mine.keySet());
                Collections.sort(links);
                long prio = 0;
                for (long h : mine.values()) prio = Math.max(prio, h);
                prio++;
                CheckpointPart part = checkpoint ? new CheckpointPart(i + 1, chunks.size(), ch.restated()) : null;
                Delta delta = new Delta(ch.elements(), ch.tombstones(), prio, dag, EMPTY, EMPTY, epoch, part);
                byte[] bytes;
                if (signer != null) { // the payload covers the author, not the signature
                    Delta.Signed signed = delta.sign(signer, links);
                    delta = signed.delta();
                    bytes = Block.encode(links, signed.bytes());
                } else {
                    bytes = Block.encode(links, delta);
                }
                Cid local = Cid.ofDagPb(bytes);
                commit.apply(new Block(local, links, delta), bytes, false);
                if (bytes.length <= CrdtBroadcast.MAX_EAGER_BYTES) fresh.put(local, bytes);
                Trace.event(checkpoint ? "checkpoint" : "flush", tag, local);
                written += bytes.length;
            }
            commit.commit(); // durable on return
            heads.freshLocal(fresh); // pushed eagerly only once durable (never announce what a crash could take back)
        } catch (RuntimeException e) {
            commit.dropStage(); // all or nothing: a generation goes back to the pending writes
            throw e;
        }
        localBlocks.add(chunks.size());
        return written;
    }

    /** Splits a chain's entries into blocks of at most {@code budget} bytes and {@code maxBatchKeys} entries. */
    private List<Chunk> split(List<Element> tombs, List<Element> elems, List<CheckpointPart.Restated> restated, long budget) {
        int maxPerBlock = Math.min(options.maxBatchKeys(), Wire.MAX_REPEATED - 1);
        List<Chunk> out = new ArrayList<>();
        int ti = 0, ei = 0, ri = 0;
        while (ti < tombs.size() || ei < elems.size() || ri < restated.size()) {
            long used = 0;
            int n = 0;
            List<Element> ct = new ArrayList<>(), ce = new ArrayList<>();
            List<CheckpointPart.Restated> cr = new ArrayList<>();
            while (ti < tombs.size() && n < maxPerBlock) {
                long sz = wireSize(tombs.get(ti));
                if (n > 0 && used + sz > budget) break;
                ct.add(tombs.get(ti++));
                used += sz;
                n++;
            }
            while (ti == tombs.size() && ei < elems.size() && n < maxPerBlock) {
                long sz = wireSize(elems.get(ei));
                if (n > 0 && used + sz > budget) break;
                ce.add(elems.get(ei++));
                used += sz;
                n++;
            }
            while (ti == tombs.size() && ri < restated.size() && n < maxPerBlock) {
                CheckpointPart.Restated r = restated.get(ri);
                long sz = utf8Length(r.key()) + utf8Length(r.id()) + r.value().length + 36;
                if (n > 0 && used + sz > budget) break;
                cr.add(r);
                ri++;
                used += sz;
                n++;
            }
            out.add(new Chunk(ct, ce, cr));
        }
        return out;
    }

    /** An upper bound of an element's (or tombstone's) bytes inside a serialized delta. */
    static long wireSize(Element e) {
        return utf8Length(e.key()) + utf8Length(e.id()) + (e.value() == null ? 0 : e.value().length) + 24;
    }

    private static int utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x80) n += c >= 0x800 ? 2 : 1;
        }
        return n;
    }
}
