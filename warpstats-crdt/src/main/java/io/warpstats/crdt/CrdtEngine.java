package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Merkle-CRDT engine (Sanjuan, Pöyhtäri, Teixeira, Psaras: "Merkle-CRDTs: Merkle-DAGs meet
 * CRDTs", arXiv 2004.00107; semantics and wire format of ipfs/go-ds-crdt).
 *
 * <h2>State and merge</h2>
 * An add-wins observed-remove set of (key, id, priority, value) elements plus the set of
 * tombstoned (key, id) pairs, both grow-only, so merging deltas in any order, any number of
 * times, gives the same state. The visible value of a key is the live element with the highest
 * priority, ties broken by the larger value (unsigned bytes) — a total order, hence the same
 * winner everywhere. Tombstones are stored even when their element is unknown, because the walk
 * goes top-down (a head before its ancestors): the delete may be merged before the put it removes.
 *
 * <h2>Local writes</h2>
 * {@code put}/{@code delete} only touch {@link PendingWrites} (a concurrent map key → latest
 * value): N puts of a key between two flushes become one element. A flush (after
 * {@code flushDelay}, at {@code maxBatchKeys} keys, or on demand) takes the pending map, builds
 * one delta whose priority is max(head height) + 1, links it to all heads of this replica's DAG,
 * and applies it through the same path as a remote block; a generation too large for one block
 * becomes a chain of blocks, all in one atomic batch. At {@code maxPendingKeys} pending keys a
 * writer waits for the flush (backpressure).
 *
 * <h2>Remote blocks and crash safety</h2>
 * A block is applied by {@link #apply} into the open {@link Stage} (group commit: several blocks,
 * ONE store batch) that: stores the block bytes, merges
 * its delta, marks it processed, removes the heads it links to, makes it a head if no processed
 * block links to it, removes it from the walk frontier ({@code p/}) and adds its unprocessed
 * children to the frontier, and carries the change listeners' writes. The frontier is durable, so
 * an interrupted walk resumes at open; go-ds-crdt marked blocks processed before their branch was
 * done and lost branches on crashes (go-ds-crdt issues 23, 279) — here a marker is never written
 * before the work it stands for. A {@code m/dirty} marker present at open means the previous run
 * did not close; {@link #repair} then re-derives the frontier from the stored blocks.
 *
 * <h2>Concurrency</h2>
 * Reads are lock-free against the store. All store writes of the engine go through
 * {@code writeLock} (one writer at a time; RocksDB batches are cheap). Fetches run concurrently,
 * at most {@code maxConcurrentFetches}; their completions may run on any thread (or inline, as in
 * the deterministic simulation), and {@link #pump} is a trampoline so inline completions never
 * recurse. Signatures of signed deltas are checked on {@code verifyPool} ahead of the apply (the
 * verify stage, see {@link #onBlock}); a full stage is written by the thread that commits it
 * (see {@link #commitStage}). Queued heads are fetched in batches (one {@code fetchBranches} call,
 * one deadline for the batch); a finished fetch is committed at once; small fresh local blocks
 * ride in the announcement (eager push) once their flush is durable.
 */
final class CrdtEngine implements MerkleCrdt, ReplicationPort {
    private static final Logger log = LoggerFactory.getLogger(CrdtEngine.class);
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_REJECTED_REMEMBERED = 10_000;
    /** Remote blocks applied into one store batch at most (group commit); the batch is also committed whenever the walk waits. */
    static final int GROUP_COMMIT_BLOCKS = 512;
    private static final long GROUP_COMMIT_BYTES = 16L << 20;
    /** Winning-value records cached (LRU): ~13 MB at most with 100-byte keys. */
    private static final int VALUE_CACHE_ENTRIES = 65_536;
    /** Processed CIDs remembered in memory (a positive cache: processed is forever); cleared when full. */
    private static final int PROCESSED_CACHE = 200_000;
    /** A value that cannot fit a block even alone is refused by put. */
    static final int MAX_VALUE_BYTES = MerkleCrdtOptions.MAX_BLOCK_BUDGET - Element.MAX_KEY_BYTES - 1024;
    private static final byte[] REMOVED = new byte[0];
    /**
     * Blocks decoded and waiting (for their signature check, or for an earlier block's) before
     * the single apply: the walk starts no new fetch while this many are in the verify stage.
     */
    static final int VERIFY_AHEAD = 512;

    private final KvStore store;
    private final MerkleCrdtOptions options;
    private final Keys keys;
    private final Broadcaster broadcaster;
    private final BlockFetcher fetcher;
    private final DeltaSigner signer;
    private final BlockChecks checks;
    private final Consumer<RejectedBlockException> onRejected;
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private final List<ViewBinding> views;
    private final DeltaMerge merge;
    private final ScheduledExecutorService scheduler;

    // local writes
    private final ReentrantReadWriteLock pendingLock = new ReentrantReadWriteLock();
    private volatile PendingWrites current = new PendingWrites();
    private volatile PendingWrites flushing;
    private final AtomicBoolean flushArmed = new AtomicBoolean();
    private final AtomicBoolean sizeFlushRequested = new AtomicBoolean();
    private final ReentrantLock flushLock = new ReentrantLock();

    // the single writer
    private final ReentrantLock writeLock = new ReentrantLock();
    private final String tag = "e" + Integer.toHexString(System.identityHashCode(this));
    /** Small blocks of the last local flush: pushed eagerly with their announcement. */
    private final java.util.concurrent.atomic.AtomicReference<Map<Cid, byte[]>> freshLocal = new java.util.concurrent.atomic.AtomicReference<>(Map.of());
    /** dag name → (head → height); guarded by writeLock for writes, copied for reads. */
    private final Map<String, Map<Cid, Long>> heads = new ConcurrentHashMap<>();
    /** All heads of all DAGs (the fetch frontier), rebuilt when the heads change. */
    private volatile Set<Cid> headSnapshot = Set.of();
    /** Exact mirror of the durable walk frontier ({@code p/}): written only after the store write succeeded. */
    private final Map<Cid, byte[]> frontier = new ConcurrentHashMap<>();
    /** CIDs known processed (committed); a subset of {@code b/}, so never ahead of the store. */
    private final Set<Cid> processedCache = ConcurrentHashMap.newKeySet();
    /** Links of recently committed blocks (published with them; emptied when full): {@link #links} without a store read. */
    private final Map<Cid, List<Cid>> recentLinks = new ConcurrentHashMap<>();
    private static final int RECENT_LINKS = 8_192;
    /** Exact mirror of the early-tombstone index ({@code T/}): element id → keys; small (ids of unprocessed blocks). */
    private final Map<String, Set<String>> early = new ConcurrentHashMap<>();
    /** The open group-commit transaction; guarded by writeLock. */
    private Stage stage;
    /**
     * The stage being committed (its batch written, its mirrors not yet published): readers of
     * the engine's state under writeLock read through it (store reads, frontier, heads, processed,
     * T/). Guarded by writeLock; at most one; null outside {@link #commitStage}.
     */
    private Stage inflight;
    /** The timer flush's delay: flushDelay, stretched while generations are large. */
    private final FlushPacer pacer;
    /** Stored winning values of recently merged keys: no point read per merged element (guarded by writeLock). */
    private final ValueCache values;

    // walks
    private final Set<Cid> inFlight = ConcurrentHashMap.newKeySet();
    /** Heads whose branch fetch is running (a subset of inFlight), in start order. */
    private final Set<Cid> fetching = Collections.synchronizedSet(new LinkedHashSet<>());
    /** Running fetches' heads passed in a new fetch's frontier at most. */
    static final int MAX_FETCHING_IN_FRONTIER = 256;
    /** Queued heads asked in one fetch at most. */
    static final int MAX_HEADS_PER_FETCH = 64;
    private final ArrayDeque<Cid> queue = new ArrayDeque<>();
    private final Set<Cid> retry = ConcurrentHashMap.newKeySet();
    private final Set<Cid> rejected = Collections.newSetFromMap(Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Cid, Boolean> e) {
            return size() > MAX_REJECTED_REMEMBERED;
        }
    }));
    private final AtomicInteger running = new AtomicInteger();
    /** Signature checks of signed deltas, in parallel ahead of the apply (null: no verifier, nothing to verify). */
    private final ExecutorService verifyPool;
    /** The verify stage: decoded blocks in arrival order (a block arrives after the block that links to it); guarded by itself. */
    private final ArrayDeque<Ready> ready = new ArrayDeque<>();
    /** CIDs in the verify stage (accepted by the sink, not yet applied or dropped). */
    private final Set<Cid> inStage = ConcurrentHashMap.newKeySet();
    /** Links of the blocks in the verify stage → count: wanted though not yet in the frontier (their parent is not applied yet). */
    private final Map<Cid, Integer> stageLinks = new ConcurrentHashMap<>();
    private final AtomicInteger drainWip = new AtomicInteger();
    private final AtomicInteger wip = new AtomicInteger();
    private final List<CompletableFuture<Void>> idleWaiters = new ArrayList<>();
    private volatile boolean closed;

    // metrics
    private final LongAdder puts = new LongAdder();
    private final LongAdder localBlocks = new LongAdder();
    private final LongAdder mergedBlocks = new LongAdder();
    private final LongAdder rejectedBlocks = new LongAdder();
    private final LongAdder fetchFailures = new LongAdder();
    private final LongAdder fetchTimeouts = new LongAdder();
    private final LongAdder pressureWaits = new LongAdder();

    CrdtEngine(KvStore store, MerkleCrdtOptions options, Broadcaster broadcaster, BlockFetcher fetcher, DeltaSigner signer,
               DeltaVerifier verifier, WriteAuthorizer authorizer, Consumer<RejectedBlockException> onRejected,
               List<ViewBinding> views) {
        this.store = store;
        this.views = views;
        this.listeners.addAll(views); // before the walks resume below: no merge goes unseen
        this.options = options;
        this.keys = new Keys(options.namespace());
        this.merge = new DeltaMerge(keys, listeners, this::earlyKeys, this::mayStillArrive);
        this.values = new ValueCache(keys.v, VALUE_CACHE_ENTRIES);
        this.pacer = new FlushPacer(options.flushDelay());
        this.broadcaster = broadcaster;
        this.fetcher = fetcher;
        this.signer = signer;
        this.checks = new BlockChecks(verifier, authorizer, options.acceptUnsigned());
        this.onRejected = onRejected;
        StoredState.loadHeads(store, keys, heads);
        boolean dirty = store.get(keys.dirty).isPresent();
        if (dirty) StoredState.repair(store, keys, heads);
        store.put(keys.dirty, new byte[] {1});
        StoredState.loadFrontier(store, keys, frontier);
        StoredState.loadEarly(store, keys, early);
        refreshHeadSnapshot();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "warpstats-crdt-" + options.dagName());
            t.setDaemon(true);
            return t;
        });
        long rb = options.rebroadcastInterval().toMillis();
        if (rb > 0) scheduler.scheduleWithFixedDelay(this::rebroadcastQuietly, rb, rb, TimeUnit.MILLISECONDS);
        if (verifier != null) {
            int n = Math.max(1, Runtime.getRuntime().availableProcessors());
            AtomicInteger no = new AtomicInteger();
            this.verifyPool = Executors.newFixedThreadPool(n, r -> {
                Thread t = new Thread(r, "warpstats-crdt-verify-" + no.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        } else {
            this.verifyPool = null;
        }
        resumeFrontier();
    }

    // ------------------------------------------------------------------ startup

    /**
     * What a new branch fetch may stop at: the heads including the open stage's (merged, not yet
     * committed), and the heads of fetches already running (their branches come with them; a
     * block reached only through them is discovered and fetched when they end). Without these,
     * concurrent fetches of overlapping branches download each other's blocks again.
     */
    private Set<Cid> fetchFrontier() {
        Set<Cid> all = new HashSet<>(headSnapshot);
        writeLock.lock();
        try {
            Stage f = inflight; // written or being written, mirrors not yet published
            if (f != null) for (Map<Cid, Long> m : f.heads.values()) all.addAll(m.keySet());
            Stage s = stage;
            if (s != null) for (Map<Cid, Long> m : s.heads.values()) all.addAll(m.keySet());
        } finally {
            writeLock.unlock();
        }
        synchronized (fetching) {
            int n = 0;
            for (Cid r : fetching) {
                if (n++ >= MAX_FETCHING_IN_FRONTIER) break;
                all.add(r);
            }
        }
        return all;
    }

    private void refreshHeadSnapshot() {
        Set<Cid> all = new HashSet<>();
        for (Map<Cid, Long> m : heads.values()) all.addAll(m.keySet());
        headSnapshot = Collections.unmodifiableSet(all);
    }

    /** Puts every frontier block back into the fetch queue (an interrupted walk resumes). */
    private void resumeFrontier() {
        for (Cid c : new ArrayList<>(frontier.keySet())) enqueue(c);
        pump();
    }

    // ------------------------------------------------------------------ local writes

    @Override
    public String dagName() {
        return options.dagName();
    }

    static void checkKey(String key) {
        if (key.isEmpty()) throw new IllegalArgumentException("empty key");
        if (key.length() > Element.MAX_KEY_BYTES) throw new IllegalArgumentException("key longer than " + Element.MAX_KEY_BYTES);
        if (key.indexOf('\0') >= 0) throw new IllegalArgumentException("key contains NUL");
    }

    @Override
    public void put(String key, byte[] value) {
        checkKey(key);
        if (value == null) throw new NullPointerException("value");
        if (value.length > MAX_VALUE_BYTES) throw new IllegalArgumentException("value longer than " + MAX_VALUE_BYTES + " bytes");
        if (closed) throw new IllegalStateException("closed");
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

    @Override
    public void delete(String key) {
        checkKey(key);
        if (closed) throw new IllegalStateException("closed");
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

    /**
     * The pending generation is at its hard bound ({@code maxPendingKeys}): the writer waits for
     * the running flush and then flushes the generation itself, so writers never outrun the store
     * by more than one bound. A flush that fails is thrown to the writer (nothing is added).
     */
    private void backpressure() {
        if (writeLock.isHeldByCurrentThread() || flushLock.isHeldByCurrentThread()) return; // a listener writing: never deadlock
        pressureWaits.increment();
        flushNow();
    }

    /** Keys waiting for a flush: the current generation plus the one being flushed (tests). */
    int pendingKeys() {
        PendingWrites f = flushing;
        return current.size() + (f == null ? 0 : f.size());
    }

    /** Fetches abandoned at their {@code fetchTimeout} (tests). */
    long fetchTimeouts() {
        return fetchTimeouts.sum();
    }

    /** Times a writer had to wait for a flush because {@code maxPendingKeys} keys were pending. */
    long backpressureWaits() {
        return pressureWaits.sum();
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
            flushNow();
        } catch (RuntimeException e) {
            if (!closed) log.error("flush failed (changes kept, retried on the next flush)", e);
        }
    }

    @Override
    public CompletableFuture<Void> flush() {
        try {
            flushNow();
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void flushNow() {
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
                current = new PendingWrites();
            } finally {
                pendingLock.writeLock().unlock();
            }
            try {
                writeLocal(gen);
                pacer.flushed(gen.size());
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
        broadcastHeads(freshLocal.getAndSet(Map.of()));
        // a size flush requested while this one ran (the writer kept going): do not lose it
        if (!closed && current.size() >= options.maxBatchKeys() && sizeFlushRequested.compareAndSet(false, true)) {
            try {
                scheduler.execute(this::flushQuietly);
            } catch (RuntimeException e) {
                sizeFlushRequested.set(false); // closing
            }
        }
    }

    /**
     * Writes a generation as a chain of blocks, each under {@link MerkleCrdtOptions#MAX_BLOCK_BUDGET}
     * bytes and at most {@code maxBatchKeys} elements + tombstones, each linking to the heads the
     * previous one left (so one block, linking to all heads, in the usual case), all applied in
     * ONE atomic store batch: the whole generation becomes durable, or none of it.
     */
    private void writeLocal(PendingWrites gen) {
        writeLock.lock();
        try {
            commitStage(); // remote blocks staged so far go first, on their own (and the scans below see them)
            String dag = options.dagName();
            List<Element> tombs = new ArrayList<>();
            for (String k : gen.sortedDeletes()) {
                byte[] prefix = keys.elementPrefix(k);
                store.scan(prefix, (sk, sv) -> {
                    tombs.add(Element.tombstone(k, new String(sk, prefix.length, sk.length - prefix.length, StandardCharsets.UTF_8)));
                    return true;
                });
            }
            List<Element> elems = gen.sortedElements();
            if (elems.isEmpty() && tombs.isEmpty()) return;
            int maxPerBlock = Math.min(options.maxBatchKeys(), Wire.MAX_REPEATED - 1);
            Map<Cid, byte[]> fresh = new HashMap<>();
            Stage s = stage();
            int blocks = 0;
            try {
                int ti = 0, ei = 0;
                while (ti < tombs.size() || ei < elems.size()) {
                    Map<Cid, Long> mine = s.heads(dag);
                    List<Cid> links = new ArrayList<>(mine.keySet());
                    Collections.sort(links);
                    long prio = 0;
                    for (long h : mine.values()) prio = Math.max(prio, h);
                    prio++;
                    long budget = MerkleCrdtOptions.MAX_BLOCK_BUDGET - 2048L - 48L * links.size();
                    long used = 0;
                    int n = 0;
                    List<Element> ct = new ArrayList<>(), ce = new ArrayList<>();
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
                    Delta delta = new Delta(ce, ct, prio, dag);
                    if (signer != null) {
                        byte[] author = signer.authorId();
                        delta = delta.withSignature(author, EMPTY); // the payload covers the author, not the signature
                        delta = delta.withSignature(author, signer.sign(delta.signingPayload(links)));
                    }
                    byte[] bytes = Block.encode(links, delta);
                    Cid local = Cid.ofDagPb(bytes);
                    apply(new Block(local, links, delta), bytes, false);
                    if (bytes.length <= CrdtBroadcast.MAX_EAGER_BYTES) fresh.put(local, bytes);
                    Trace.event("flush", tag, local);
                    blocks++;
                }
                commitStage(); // flush() returns when the generation is durable
                freshLocal.set(fresh); // pushed eagerly only once durable (never announce what a crash could take back)
            } catch (RuntimeException e) {
                stage = null; // all or nothing: the generation goes back to the pending writes
                throw e;
            }
            localBlocks.add(blocks);
        } finally {
            writeLock.unlock();
        }
    }

    /** An upper bound of an element's (or tombstone's) bytes inside a serialized delta. */
    private static long wireSize(Element e) {
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

    // ------------------------------------------------------------------ reads

    @Override
    public Optional<byte[]> get(String key) {
        PendingWrites p = current;
        byte[] v = p.get(key);
        if (v != null) return v == PendingWrites.DELETED ? Optional.empty() : Optional.of(v);
        PendingWrites f = flushing;
        if (f != null) {
            v = f.get(key);
            if (v != null) return v == PendingWrites.DELETED ? Optional.empty() : Optional.of(v);
        }
        return store.get(keys.value(key)).map(r -> Arrays.copyOfRange(r, 8, r.length));
    }

    @Override
    public Optional<byte[]> getDurable(String key) {
        return store.get(keys.value(key)).map(r -> Arrays.copyOfRange(r, 8, r.length));
    }

    @Override
    public void query(String prefix, BiConsumer<String, byte[]> visitor) {
        query(prefix, null, Integer.MAX_VALUE, visitor);
    }

    /*
     * A page of a prefix without reading the rest of it. The visible state is the store overlaid by
     * the pending generations (flushing, then current): their puts add keys, their deletes hide
     * keys. Reading the first limit + D store keys after the start, D being the number of pending
     * deletes under the prefix, is enough: a visible store key among the first `limit` visible keys
     * has at most D hidden store keys before it, so its rank in the store range is at most limit + D.
     * Pending puts are few (at most maxPendingKeys) and all are overlaid.
     */
    @Override
    public void query(String prefix, String startAfter, int limit, BiConsumer<String, byte[]> visitor) {
        if (limit < 0) throw new IllegalArgumentException("limit must be >= 0: " + limit);
        if (limit == 0) return;
        String from = startAfter == null ? prefix : prefix + startAfter;
        PendingWrites f = flushing;
        PendingWrites c = current;
        long want = (long) limit + c.deletesUnder(prefix) + (f == null ? 0 : f.deletesUnder(prefix));
        TreeMap<String, byte[]> out = new TreeMap<>(Keys.UTF8_ORDER);
        int nsLen = keys.v.length;
        store.scan(keys.value(prefix), keys.value(from), (k, v) -> {
            String key = new String(k, nsLen, k.length - nsLen, StandardCharsets.UTF_8);
            if (startAfter == null || !key.equals(from)) out.put(key, Arrays.copyOfRange(v, 8, v.length));
            return out.size() < want;
        });
        if (f != null) f.overlay(prefix, out);
        c.overlay(prefix, out);
        int n = 0;
        for (Map.Entry<String, byte[]> e : out.tailMap(from, startAfter == null).entrySet()) {
            if (n++ == limit) break;
            visitor.accept(e.getKey(), e.getValue());
        }
    }

    @Override
    public List<Head> heads() {
        List<Head> r = new ArrayList<>();
        heads.getOrDefault(options.dagName(), Map.of()).forEach((c, h) -> r.add(new Head(c, h)));
        r.sort((a, b) -> a.cid().compareTo(b.cid()));
        return r;
    }

    @Override
    public Optional<byte[]> block(Cid cid) {
        return store.get(keys.processed(cid)).map(r -> Arrays.copyOfRange(r, 8, r.length));
    }

    /** Committed, as {@link #block} sees it: the processed cache, else a store lookup that copies nothing. */
    @Override
    public boolean hasBlock(Cid cid) {
        return processedCache.contains(cid) || store.contains(keys.processed(cid));
    }

    /** From the links of recently committed blocks (the heads and just below: what sync clients walk), else decoded from the store. */
    @Override
    public Optional<List<Cid>> links(Cid cid) {
        List<Cid> l = recentLinks.get(cid);
        if (l != null) return Optional.of(l);
        return block(cid).map(b -> {
            List<Cid> r = new ArrayList<>();
            for (io.warpstats.multiformats.DagPb.Link link : io.warpstats.multiformats.DagPb.decode(b).links()) r.add(link.hash());
            return r;
        });
    }

    @Override
    public ViewRows view(MaterializedView view) {
        for (ViewBinding b : views) if (b.view == view) return b.committed(store);
        throw new IllegalArgumentException("view " + view.name() + " is not registered on this replica (MerkleCrdtBuilder.view)");
    }

    @Override
    public ReplicationPort replication() {
        return this;
    }

    @Override
    public CrdtMetrics metrics() {
        return new CrdtMetrics(puts.sum(), localBlocks.sum(), mergedBlocks.sum(), rejectedBlocks.sum(), fetchFailures.sum(),
                Math.max(frontier.size(), inFlight.size() + retry.size()), running.get(), heads.getOrDefault(options.dagName(), Map.of()).size());
    }

    // ------------------------------------------------------------------ the atomic apply

    /**
     * Writes of the engine not yet committed: ONE store transaction holding one or more blocks
     * (group commit), plus the changes of the in-memory mirrors (heads, frontier, processed
     * CIDs) that are published only after the store write succeeded — the mirrors never run
     * ahead of the store. Guarded by {@code writeLock}. A crash loses the whole stage and
     * nothing else: every marker in it is written with the work it stands for.
     */
    private final class Stage {
        final Txn txn = new Txn(store, inflight == null ? null : inflight.txn, values, lastStageWrites);
        final Map<String, Map<Cid, Long>> heads = new HashMap<>();
        final Set<Cid> processed = new HashSet<>();
        /** the links of the processed blocks (for {@link #recentLinks}) */
        final Map<Cid, List<Cid>> links = new HashMap<>();
        /** frontier changes: record, or REMOVED. */
        final Map<Cid, byte[]> frontier = new HashMap<>();
        /** frontier records and heads this stage created (absent from the store): dropped, not deleted, when undone. */
        final Set<Cid> createdPending = new HashSet<>(), createdHeads = new HashSet<>();
        /** T/ index changes: id → its full new key set (empty: removed). */
        final Map<String, Set<String>> early = new HashMap<>();
        int blocks, merged;

        /** The staged heads of {@code dag} (a private copy, taken once per stage). */
        Map<Cid, Long> heads(String dag) {
            return heads.computeIfAbsent(dag, d -> {
                Stage f = inflight;
                Map<Cid, Long> base = f != null && f.heads.containsKey(d) ? f.heads.get(d) : CrdtEngine.this.heads.getOrDefault(d, Map.of());
                return new HashMap<>(base);
            });
        }
    }

    /** Writes of the last committed stage: the size hint of the next one's overlay. */
    private int lastStageWrites;

    private Stage stage() {
        if (stage == null) stage = new Stage();
        return stage;
    }

    /**
     * Writes the open stage as one store batch and publishes its mirrors (caller holds writeLock).
     * On the caller's thread: the engine used to hand the batch to a writer thread and build the
     * next stage meanwhile (pipelining), but on a machine whose cores are all busy (the 5-node
     * cluster benchmark on 2 cores) the hand-offs cost more CPU and latency than the overlap won —
     * 10–15 % more CPU per put and a higher p99, measured side by side (docs/benchmarks.md). If
     * the write fails, the stage is dropped and the error thrown: its walks resume from the
     * durable frontier.
     */
    private void commitStage() {
        Stage s = stage;
        stage = null;
        if (s == null) return;
        s.txn.detach(); // the stage it read through is in the store now
        lastStageWrites = s.txn.size();
        inflight = s;
        try {
            s.txn.commit();
        } catch (RuntimeException e) {
            inflight = null; // dropped: its mirrors are never published
            throw e;
        }
        publish(s);
        inflight = null; // after publishing: a reader sees the changes in one place or the other
        s.txn.runAfterCommit(); // views publish their in-memory state once their rows are durable
    }

    /** Publishes the in-memory mirrors of a stage whose batch is durable. */
    private void publish(Stage s) {
        if (Trace.ON) for (Cid c : s.processed) Trace.event("commit", tag, c);
        s.txn.publishTo(values);
        s.heads.forEach((dag, m) -> heads.put(dag, new ConcurrentHashMap<>(m)));
        if (!s.heads.isEmpty()) refreshHeadSnapshot();
        s.frontier.forEach((c, rec) -> {
            if (rec == REMOVED) frontier.remove(c);
            else frontier.put(c, rec);
        });
        s.early.forEach((id, ks) -> {
            if (ks.isEmpty()) early.remove(id);
            else early.put(id, ks);
        });
        if (processedCache.size() + s.processed.size() > PROCESSED_CACHE) processedCache.clear();
        processedCache.addAll(s.processed);
        if (recentLinks.size() + s.links.size() > RECENT_LINKS) recentLinks.clear();
        recentLinks.putAll(s.links);
        mergedBlocks.add(s.merged);
    }

    /**
     * Commits the open stage: durable and its mirrors published on return (a finished fetch, pushed
     * blocks, the walk waiting or done, close); a failure is logged, not thrown.
     */
    private void commitQuietly() {
        writeLock.lock();
        try {
            if (closed) return;
            commitStage();
        } catch (RuntimeException e) {
            if (!closed) log.error("commit of merged blocks failed (their walks resume from the durable frontier at the next rebroadcast)", e);
        } finally {
            writeLock.unlock();
        }
    }

    /** The frontier record of {@code c} as the store will hold it after the stage, or null. */
    private byte[] pendingRecord(Cid c) {
        writeLock.lock();
        try {
            Stage s = stage;
            if (s != null) {
                byte[] r = s.frontier.get(c);
                if (r != null) return r == REMOVED ? null : r;
            }
            return storedFrontier(c);
        } finally {
            writeLock.unlock();
        }
    }

    /** The frontier record of {@code c} once the stage being committed is published (the open stage aside), or null. Caller holds writeLock. */
    private byte[] storedFrontier(Cid c) {
        Stage f = inflight;
        if (f != null) {
            byte[] r = f.frontier.get(c);
            if (r != null) return r == REMOVED ? null : r;
        }
        return frontier.get(c);
    }

    /** Whether {@code c} is processed (staged or committed). A block in the frontier is not processed. */
    private boolean isProcessed(Cid c) {
        writeLock.lock();
        try {
            Stage s = stage;
            if (s != null && s.processed.contains(c)) return true;
            Stage f = inflight;
            if (f != null && f.processed.contains(c)) return true;
            if (processedCache.contains(c)) return true;
            if (pendingRecord(c) != null) return false;
            return store.get(keys.processed(c)).isPresent();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Applies a verified block into the open stage (see the class comment): block bytes, delta,
     * processed marker, head moves, frontier update — committed together with the stage. Caller
     * holds {@code writeLock}. Returns the block's links that are not processed yet.
     */
    private List<Cid> apply(Block block, byte[] bytes, boolean remote) {
        Cid cid = block.cid();
        if (isProcessed(cid)) return List.of();
        Stage s = stage();
        Delta d = block.delta();
        String dag = d.dagName();
        byte[] pendingRec = pendingRecord(cid);
        boolean linkedTo = pendingRec != null && pendingRec.length > 0 && pendingRec[0] == 1;
        List<Cid> children = new ArrayList<>();
        for (Cid l : block.links()) {
            if (!isProcessed(l) && !rejected.contains(l)) children.add(l);
        }
        Txn txn = s.txn;
        String id = cid.toString();
        List<String[]> earlyAdded = new ArrayList<>(0);
        txn.mark();
        try {
            merge.merge(txn, id, d, remote, earlyAdded);
        } catch (RuntimeException e) {
            txn.rollback();
            throw e;
        }
        txn.unmark();
        // no store reads below: nothing can fail half-way
        for (String[] ik : earlyAdded) {
            s.early.computeIfAbsent(ik[0], x -> new HashSet<>(storedEarly(x))).add(ik[1]);
        }
        Set<String> earlyMine = earlyKeys(id);
        if (!earlyMine.isEmpty()) { // this block's elements were handled by DeltaMerge: the index entries are done
            for (String k : earlyMine) txn.delete(keys.early(id, k));
            s.early.put(id, Set.of());
        }
        txn.put(keys.processed(cid), Keys.prioValue(d.priority(), bytes)); // marker and block in one key
        Map<Cid, Long> dagHeads = s.heads(dag);
        for (Cid l : block.links()) {
            if (dagHeads.remove(l) != null) {
                if (s.createdHeads.remove(l)) txn.forget(keys.head(dag, l));
                else txn.delete(keys.head(dag, l));
            }
        }
        if (!children.isEmpty()) {
            byte[] dagBytes = Keys.bytes(dag);
            byte[] rec = new byte[1 + dagBytes.length];
            rec[0] = 1;
            System.arraycopy(dagBytes, 0, rec, 1, dagBytes.length);
            for (Cid l : children) {
                if (storedFrontier(l) == null) s.createdPending.add(l);
                txn.put(keys.pending(l), rec);
                s.frontier.put(l, rec);
            }
        }
        if (!linkedTo) {
            txn.put(keys.head(dag, cid), Keys.longBytes(d.priority()));
            dagHeads.put(cid, d.priority());
            s.createdHeads.add(cid);
        }
        if (pendingRec != null) {
            if (s.createdPending.remove(cid)) txn.forget(keys.pending(cid));
            else txn.delete(keys.pending(cid));
            s.frontier.put(cid, REMOVED);
        }
        s.processed.add(cid);
        s.links.put(cid, List.copyOf(block.links()));
        s.blocks++;
        if (remote) s.merged++;
        return children;
    }

    /** Keys whose element {@code id} was tombstoned before block {@code id} was processed (the T/ index, staged view). */
    private Set<String> earlyKeys(String id) {
        Stage s = stage;
        if (s != null) {
            Set<String> x = s.early.get(id);
            if (x != null) return x;
        }
        return storedEarly(id);
    }

    /** The T/ keys of {@code id} once the stage being committed is published (the open stage aside). */
    private Set<String> storedEarly(String id) {
        Stage f = inflight;
        if (f != null) {
            Set<String> x = f.early.get(id);
            if (x != null) return x;
        }
        return early.getOrDefault(id, Set.of());
    }

    /** Whether a block with this id (a CID string) may still be merged: a valid CID, not processed. */
    private boolean mayStillArrive(String id) {
        try {
            return !isProcessed(Cid.parse(id));
        } catch (IllegalArgumentException e) {
            return false; // no block has this id: the tombstone alone says it all
        }
    }

    // ------------------------------------------------------------------ remote: announcements and walks

    @Override
    public void onBroadcast(CrdtBroadcast msg) {
        boolean merged = false;
        Set<Cid> done = Set.of();
        if (!msg.blocks().isEmpty()) {
            // a pushed chain (older local blocks the head links to) merges oldest first: repeat
            // while some block had all its links processed
            Map<Cid, byte[]> pushed = new LinkedHashMap<>();
            for (byte[] b : msg.blocks()) pushed.put(Cid.ofDagPb(b), b);
            done = new HashSet<>();
            boolean progress = true;
            while (progress && done.size() < pushed.size()) {
                progress = false;
                for (Map.Entry<Cid, byte[]> e : pushed.entrySet()) {
                    if (done.contains(e.getKey())) continue;
                    if (mergePushed(e.getKey(), e.getValue())) {
                        done.add(e.getKey());
                        progress = true;
                        merged = true;
                    }
                }
            }
        }
        for (CrdtBroadcast.Announced h : msg.heads()) if (!done.contains(h.cid())) announce(h.cid());
        if (merged) commitQuietly(); // durable and visible now: the next fetches' frontier
        pump();
    }

    @Override
    public void onHead(Cid head) {
        announce(head);
        pump();
    }

    /**
     * Eager push: merges an announced head that came with its bytes, at once, if every block it
     * links to is processed (the usual case: a peer's new block on top of heads we share). Else
     * false, and the head is fetched as usual (its branch is needed anyway). The bytes were hashed
     * to the announced CID by the caller.
     */
    private boolean mergePushed(Cid c, byte[] bytes) {
        if (closed || c.codec() != Cid.DAG_PB || rejected.contains(c)) return false;
        if (isProcessed(c) || inStage.contains(c)) return true;
        if (inFlight.contains(c)) return false;
        try {
            for (io.warpstats.multiformats.DagPb.Link l : io.warpstats.multiformats.DagPb.decode(bytes).links()) {
                if (!isProcessed(l.hash()) && !inStage.contains(l.hash())) return false; // in the verify stage: applied before it
            }
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!addToFrontier(c)) return true;
        Trace.event("pushed", tag, c);
        List<Cid> found = new ArrayList<>();
        try {
            onBlock(bytes, found, true);
        } catch (RejectedBlockException e) {
            return true; // rejected and remembered: not fetched again
        }
        queueDiscovered(found); // applied here: links not processed after all (a link dropped from the verify stage)
        return isProcessed(c) || inStage.contains(c); // a signed block may still be in the verify stage
    }

    private void announce(Cid c) {
        if (closed || c.codec() != Cid.DAG_PB || rejected.contains(c)) return;
        Trace.event("heard", tag, c);
        if (inFlight.contains(c) || isProcessed(c)) return;
        if (inFlight.size() >= options.maxPendingBlocks()) return; // it will be announced again
        if (addToFrontier(c)) enqueue(c);
    }

    /**
     * Records a heard head in the durable walk frontier (store and mirror, under the write lock) so a
     * crash before it is merged resumes its walk. False, and nothing written, when the engine is
     * closed or the block is already processed.
     */
    private boolean addToFrontier(Cid c) {
        writeLock.lock();
        try {
            if (closed || isProcessed(c)) return false;
            if (pendingRecord(c) == null) {
                byte[] rec = {0};
                store.put(keys.pending(c), rec);
                frontier.put(c, rec);
            }
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    private void enqueue(Cid c) {
        if (!inFlight.add(c)) return;
        retry.remove(c);
        synchronized (queue) {
            queue.add(c);
        }
    }

    /** Starts queued fetches up to the limit; a trampoline, safe against inline completions. */
    private void pump() {
        if (wip.getAndIncrement() != 0) return;
        int missed = 1;
        while (true) {
            while (!closed && running.get() < options.maxConcurrentFetches() && inStage.size() < VERIFY_AHEAD) {
                List<Cid> batch = new ArrayList<>();
                synchronized (queue) {
                    while (batch.size() < MAX_HEADS_PER_FETCH) {
                        Cid c = queue.poll();
                        if (c == null) break;
                        batch.add(c);
                    }
                }
                if (batch.isEmpty()) break;
                running.incrementAndGet();
                startFetch(batch);
            }
            boolean empty;
            synchronized (queue) {
                empty = queue.isEmpty();
            }
            if (empty && inStage.isEmpty()) commitQuietly(); // the walk waits (or is done): make what it merged durable and visible
            checkIdle();
            missed = wip.addAndGet(-missed);
            if (missed == 0) return;
        }
    }

    /** Starts one fetch for a batch of queued heads (one request for all: a backlog costs one round trip). */
    private void startFetch(List<Cid> batch) {
        List<Cid> todo = new ArrayList<>(batch.size());
        for (Cid c : batch) if (!isProcessed(c)) todo.add(c);
        if (todo.isEmpty()) {
            finishFetch(batch, List.of(), null);
            return;
        }
        List<Cid> discovered = Collections.synchronizedList(new ArrayList<>());
        if (Trace.ON) for (Cid c : todo) Trace.event("fetch-start", tag, c);
        Set<Cid> fetchFrontier = fetchFrontier();
        fetching.addAll(todo);
        AtomicBoolean finished = new AtomicBoolean();
        Consumer<byte[]> sink = bytes -> {
            List<Cid> found = new ArrayList<>();
            try {
                onBlock(bytes, found);
            } finally {
                discovered.addAll(found);
                // a block that arrives after the fetch's deadline ended it (the fetcher goes on): its
                // links are queued here, not left for the next rebroadcast. Before the deadline,
                // finishFetch queues them; a block racing the deadline is queued by both (idempotent)
                if (finished.get()) queueDiscovered(found);
            }
        };
        ScheduledFuture<?> deadline = null;
        try {
            // every fetch ends: a fetcher whose future never completes must not hold a slot forever
            deadline = scheduler.schedule(() -> {
                if (!finished.compareAndSet(false, true)) return;
                fetchTimeouts.increment();
                log.debug("fetch of {} timed out after {}", todo, options.fetchTimeout());
                finishFetch(batch, discovered, new TimeoutException("fetch of " + todo + " took longer than " + options.fetchTimeout()));
            }, options.fetchTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing: the fetch below ends on its own or the replica is gone
        }
        CompletableFuture<Void> f;
        try {
            f = todo.size() == 1 ? fetcher.fetchBranch(todo.get(0), fetchFrontier, sink) : fetcher.fetchBranches(todo, fetchFrontier, sink);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        ScheduledFuture<?> timer = deadline;
        f.whenComplete((v, err) -> {
            if (!finished.compareAndSet(false, true)) return; // timed out before: blocks it merged stay merged
            if (timer != null) timer.cancel(false);
            finishFetch(batch, discovered, err);
        });
    }

    private void finishFetch(List<Cid> batch, List<Cid> discovered, Throwable err) {
        // `running` drops only after the children are queued: a concurrent pump must never see
        // an empty queue and no fetch running while this walk still has work (whenIdle would lie)
        try {
            finishFetch0(batch, discovered, err);
        } finally {
            running.decrementAndGet();
        }
        pump();
    }

    private void finishFetch0(List<Cid> batch, List<Cid> discovered, Throwable err) {
        // a finished branch is made durable and visible at once (group commit spans one fetch, not
        // the whole backlog): deferring it kept the heads — the next fetches' frontier — stale, so
        // every fetch re-downloaded everything merged since the last commit
        commitQuietly();
        for (Cid c : batch) {
            fetching.remove(c);
            inFlight.remove(c);
        }
        if (!closed) {
            for (Cid c : batch) { // the deadline covered the whole batch: every head not done is retried
                boolean done = rejected.contains(c) || inStage.contains(c) || isProcessed(c);
                if (!done) {
                    fetchFailures.increment();
                    retry.add(c);
                    if (err != null) log.debug("fetch of {} failed: {}", c, err.toString());
                }
            }
            List<Cid> next;
            synchronized (discovered) {
                next = new ArrayList<>(discovered);
            }
            for (Cid d : next) {
                if (!rejected.contains(d) && !isProcessed(d)) enqueue(d);
            }
        }
    }

    /**
     * Queues links found outside a running fetch's bookkeeping (a block that arrived after its
     * fetch's deadline, a pushed block), skipping those done or in the verify stage, and pumps.
     */
    private void queueDiscovered(List<Cid> found) {
        if (closed || found.isEmpty()) return;
        boolean any = false;
        for (Cid d : found) {
            if (!rejected.contains(d) && !inStage.contains(d) && !isProcessed(d) && (stageLinks.containsKey(d) || pendingRecord(d) != null)) {
                enqueue(d);
                any = true;
            }
        }
        if (any) pump();
    }

    /**
     * The sink of a branch fetch: hashes and decodes one block, then verifies, authorizes and
     * applies it. Its links are handed to the walk at once (before it is applied), so the walk
     * keeps fetching while signatures are checked: a signed delta is verified on {@code verifyPool}
     * (in parallel) and the block waits in the verify stage; blocks leave the stage in arrival
     * order, one at a time, into {@link #apply} (a block arrives after the block linking to it, so
     * the walk order is the one of a sequential walk). A block whose parent was rejected meanwhile
     * is not in the frontier when its turn comes and is dropped. Anything found wrong while
     * decoding is thrown from here as a {@link RejectedBlockException}; a bad signature found by
     * the parallel stage is reported to {@code onRejected} (the sink has returned).
     */
    private void onBlock(byte[] bytes, List<Cid> discovered) {
        onBlock(bytes, discovered, false);
    }

    /** {@code pushed}: the block came with an announcement (no fetch will queue the links it reveals when applied). */
    private void onBlock(byte[] bytes, List<Cid> discovered, boolean pushed) {
        if (closed) return;
        Cid cid = Cid.ofDagPb(bytes);
        if (inStage.contains(cid) || isProcessed(cid)) return;
        // unsolicited (not ours to judge): ignore. Order matters: the stage's link count first, then the frontier.
        // The drain applies a parent (its links enter the frontier) before it drops the parent's link counts, so a
        // link count seen absent means the frontier read after it is current; read the other way round, a parent
        // drained in between made a wanted block look unsolicited and stalled its walk until the next rebroadcast
        if (!stageLinks.containsKey(cid) && pendingRecord(cid) == null) return;
        Block block;
        try {
            block = Block.decodeHashed(cid, bytes);
            checks.checkShape(block);
        } catch (IllegalArgumentException e) {
            reject(cid, e.getMessage());
            return; // unreachable: reject throws
        }
        boolean parallel = verifyPool != null && block.delta().isSigned();
        if (!parallel) {
            try {
                checks.checkAuthor(block);
            } catch (IllegalArgumentException e) {
                reject(cid, e.getMessage());
                return;
            }
            boolean direct;
            synchronized (ready) {
                direct = ready.isEmpty() && inStage.isEmpty();
            }
            if (direct) { // nothing ahead of it: apply here (the deterministic, synchronous path)
                writeLock.lock();
                try {
                    if (closed || pendingRecord(cid) == null) return;
                    discovered.addAll(apply(block, bytes, true));
                    Trace.event("apply", tag, cid);
                    commitIfFull();
                } finally {
                    writeLock.unlock();
                }
                return;
            }
        }
        Ready r = new Ready(block, bytes, parallel ? Ready.VERIFYING : Ready.OK, pushed);
        inStage.add(cid);
        for (Cid l : block.links()) stageLinks.merge(l, 1, Integer::sum);
        synchronized (ready) {
            ready.add(r);
        }
        discovered.addAll(block.links()); // the walk goes on below it now (processed ones are filtered there)
        if (parallel) {
            try {
                verifyPool.execute(() -> {
                    try {
                        checks.checkAuthor(block);
                        r.state = Ready.OK;
                    } catch (RuntimeException e) {
                        r.error = String.valueOf(e.getMessage());
                        r.state = Ready.BAD;
                    }
                    drain();
                });
            } catch (RuntimeException e) { // closing
                r.error = "closed";
                r.state = Ready.BAD;
            }
        }
        drain();
    }

    /** A decoded block in the verify stage. */
    private static final class Ready {
        static final int VERIFYING = 0, OK = 1, BAD = 2;
        final Block block;
        final byte[] bytes;
        final boolean pushed;
        volatile int state;
        volatile String error;

        Ready(Block block, byte[] bytes, int state, boolean pushed) {
            this.block = block;
            this.bytes = bytes;
            this.state = state;
            this.pushed = pushed;
        }
    }

    /** Applies the verified blocks at the front of the verify stage, in order (one drainer at a time). */
    private void drain() {
        if (drainWip.getAndIncrement() != 0) return;
        int missed = 1;
        boolean any = false;
        while (true) {
            while (true) {
                Ready r;
                synchronized (ready) {
                    r = ready.peek();
                    if (r == null || r.state == Ready.VERIFYING) break;
                    ready.poll();
                }
                any = true;
                try {
                    applyReady(r);
                } catch (RuntimeException e) {
                    if (!closed) log.error("apply of {} failed (its walk resumes at the next announcement)", r.block.cid(), e);
                } finally {
                    inStage.remove(r.block.cid());
                    for (Cid l : r.block.links()) stageLinks.computeIfPresent(l, (k, n) -> n == 1 ? null : n - 1);
                }
            }
            missed = drainWip.addAndGet(-missed);
            if (missed == 0) break;
        }
        if (any) pump(); // below the bound again, maybe done: fetch on, commit, tell idle waiters
    }

    private void applyReady(Ready r) {
        Cid cid = r.block.cid();
        if (closed) return;
        if (r.state == Ready.BAD) {
            try {
                reject(cid, r.error);
            } catch (RejectedBlockException e) {
                // reported to onRejected; nobody to throw to
            }
            return;
        }
        List<Cid> children;
        writeLock.lock();
        try {
            if (closed) return;
            // a block whose parent was rejected (or that is already done) is no longer wanted
            if (isProcessed(cid) || pendingRecord(cid) == null) return;
            children = apply(r.block, r.bytes, true); // a fetched block's links went to its walk when it entered the stage (onBlock)
            Trace.event("apply", tag, cid);
            commitIfFull();
        } finally {
            writeLock.unlock();
        }
        // a pushed block has no walk: links it left unprocessed (one dropped from the stage ahead of it) are queued now,
        // not at the next rebroadcast
        if (r.pushed) queueDiscovered(children);
    }

    private void commitIfFull() {
        Stage s = stage;
        if (s != null && (s.blocks >= GROUP_COMMIT_BLOCKS || s.txn.bytes() > GROUP_COMMIT_BYTES)) commitStage();
    }

    private void reject(Cid cid, String reason) {
        RejectedBlockException e = new RejectedBlockException(cid, reason);
        rejected.add(cid);
        rejectedBlocks.increment();
        writeLock.lock();
        try {
            if (!closed && pendingRecord(cid) != null) {
                Stage s = stage();
                s.txn.delete(keys.pending(cid));
                s.frontier.put(cid, REMOVED);
            }
        } finally {
            writeLock.unlock();
        }
        try {
            onRejected.accept(e);
        } catch (RuntimeException ignored) {
            // a faulty callback must not stop the walk
        }
        throw e;
    }

    /**
     * Completes the idle waiters registered before the check if the walk is idle: nothing
     * queued, fetching or in the verify stage, AND nothing merged left unpublished (no open stage,
     * no stage being committed). The last condition matters because blocks are merged into a stage by
     * several threads (fetch completions, the verify stage's drain) and committed later; without it
     * whenIdle could complete before the last merge is durable and its frontier mirror published.
     * Read in that order: {@code running} first, then the queue and the stages (a fetch commits
     * before it drops {@code running}).
     */
    private void checkIdle() {
        List<CompletableFuture<Void>> waiting;
        synchronized (idleWaiters) {
            if (idleWaiters.isEmpty()) return;
            waiting = new ArrayList<>(idleWaiters);
        }
        // order matters: `running` first. A fetch queues its children and commits its stage before
        // it drops `running`, and only the pump owner (this thread) starts fetches; so once
        // `running` is seen 0, the queue and stage read after it include every finished fetch's
        // work. Reading the queue first let a fetch finishing in between pass as idle.
        if (running.get() != 0) return;
        boolean empty;
        synchronized (queue) {
            empty = queue.isEmpty();
        }
        if (!empty || !inStage.isEmpty() || !allPublished()) return;
        synchronized (idleWaiters) {
            idleWaiters.removeAll(waiting);
        }
        waiting.forEach(f -> f.complete(null));
    }

    /** No open stage and no stage being committed (or closed: nothing more will be committed). */
    private boolean allPublished() {
        writeLock.lock();
        try {
            return closed || (stage == null && inflight == null);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public CompletableFuture<Void> whenIdle() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (idleWaiters) {
            idleWaiters.add(f);
        }
        pump();
        return f;
    }

    // ------------------------------------------------------------------ broadcast

    private void rebroadcastQuietly() {
        try {
            rebroadcast();
        } catch (RuntimeException e) {
            if (!closed) log.warn("rebroadcast failed", e);
        }
    }

    @Override
    public void rebroadcast() {
        if (closed) return;
        broadcastHeads();
        for (Cid c : new ArrayList<>(retry)) {
            retry.remove(c);
            if (!isProcessed(c) && !rejected.contains(c)) enqueue(c);
        }
        // the durable frontier is the truth: a block in it that no fetch is working on (its fetch timed
        // out while its blocks kept arriving, say) is queued again, as at open
        for (Cid c : new ArrayList<>(frontier.keySet())) {
            if (!inFlight.contains(c) && !rejected.contains(c) && !isProcessed(c)) enqueue(c);
        }
        pump();
    }

    private void broadcastHeads() {
        broadcastHeads(Map.of());
    }

    /** Announces the heads; {@code fresh} local blocks among them that are small go along (eager push). */
    private void broadcastHeads(Map<Cid, byte[]> fresh) {
        List<CrdtBroadcast.Announced> all = new ArrayList<>();
        heads.forEach((dag, m) -> m.keySet().forEach(c -> all.add(new CrdtBroadcast.Announced(c, dag))));
        if (all.isEmpty()) return;
        all.sort((a, b) -> a.cid().compareTo(b.cid()));
        for (int i = 0; i < all.size(); i += CrdtBroadcast.MAX_HEADS) {
            List<CrdtBroadcast.Announced> part = all.subList(i, Math.min(all.size(), i + CrdtBroadcast.MAX_HEADS));
            List<byte[]> push = new ArrayList<>();
            for (CrdtBroadcast.Announced h : part) {
                byte[] b = fresh.get(h.cid());
                if (b != null && push.size() < CrdtBroadcast.MAX_EAGER_BLOCKS) push.add(b);
            }
            CrdtBroadcast msg = new CrdtBroadcast(part, push);
            try {
                broadcaster.broadcast(msg);
            } catch (RuntimeException e) {
                log.debug("broadcast failed: {}", e.toString());
            }
        }
    }

    // ------------------------------------------------------------------ close

    @Override
    public void close() {
        if (closed) return;
        try {
            flushNow();
        } catch (RuntimeException e) {
            log.warn("final flush failed", e);
        }
        commitQuietly();
        closed = true;
        scheduler.shutdownNow();
        if (verifyPool != null) verifyPool.shutdownNow();
        writeLock.lock();
        try {
            store.delete(keys.dirty);
        } catch (RuntimeException e) {
            log.debug("could not clear the dirty flag: {}", e.toString());
        } finally {
            writeLock.unlock();
        }
    }
}
