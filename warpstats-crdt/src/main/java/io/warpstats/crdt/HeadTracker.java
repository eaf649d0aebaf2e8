package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committed heads of every DAG this replica stores, and their announcement.
 *
 * <p>A head is a processed block no processed block links to (arXiv 2004.00107: the
 * heads are the root CIDs a replica broadcasts; a new local delta links to all heads of its DAG).
 * The map here mirrors the {@code h/} keys exactly: {@link GroupCommit} replaces a DAG's heads
 * only after the store batch that moved them is durable, so an announced head is never one a crash
 * could take back. Announcements carry all heads of all DAGs, {@link CrdtBroadcast#MAX_HEADS} per
 * message, in CID order; small blocks of the last local flush that are heads ride along (eager
 * push: a peer on the same heads merges them without a fetch).
 *
 * <p>Concurrency: {@link #publish} is called under {@link GroupCommit}'s write lock (one writer);
 * reads ({@link #committed}, {@link #snapshot}, {@link #list}) are lock-free against concurrent
 * maps and a volatile snapshot, and see each DAG's heads either before or after a publish, never
 * half-way. {@link #broadcast} may run on any thread (the flushing writer, the scheduler's
 * rebroadcast); the {@link Broadcaster} must be thread-safe.
 */
final class HeadTracker {
    private static final Logger log = LoggerFactory.getLogger(HeadTracker.class);
    private final Broadcaster broadcaster;
    /** dag name → (head → height); a DAG's map is replaced whole at publish. */
    private final Map<String, Map<Cid, Long>> heads;
    /** All heads of all DAGs (a fetch's frontier), rebuilt when the heads change. */
    private volatile Set<Cid> snapshot = Set.of();
    /** Small blocks of the last durable local flush: pushed with their announcement, once. */
    private final AtomicReference<Map<Cid, byte[]>> freshLocal = new AtomicReference<>(Map.of());

    /** @param stored the heads read from the store at open (taken over) */
    HeadTracker(Broadcaster broadcaster, Map<String, Map<Cid, Long>> stored) {
        this.broadcaster = broadcaster;
        this.heads = new ConcurrentHashMap<>(stored);
        refreshSnapshot();
    }

    /** The committed heads of {@code dag} (head → height), possibly empty; do not modify. */
    Map<Cid, Long> committed(String dag) {
        return heads.getOrDefault(dag, Map.of());
    }

    /** The heads of {@code dag} in CID order. */
    List<Head> list(String dag) {
        List<Head> r = new ArrayList<>();
        committed(dag).forEach((c, h) -> r.add(new Head(c, h)));
        r.sort((a, b) -> a.cid().compareTo(b.cid()));
        return r;
    }

    /** All committed heads of all DAGs (immutable). */
    Set<Cid> snapshot() {
        return snapshot;
    }

    /** Replaces the heads of every DAG in {@code staged} (a stage whose batch is durable). Caller holds the write lock. */
    void publish(Map<String, Map<Cid, Long>> staged) {
        if (staged.isEmpty()) return;
        staged.forEach((dag, m) -> heads.put(dag, new ConcurrentHashMap<>(m)));
        refreshSnapshot();
    }

    private void refreshSnapshot() {
        Set<Cid> all = new HashSet<>();
        for (Map<Cid, Long> m : heads.values()) all.addAll(m.keySet());
        snapshot = Collections.unmodifiableSet(all);
    }

    /** Records the small blocks of a local flush that is durable: {@link #announceFresh} pushes them. */
    void freshLocal(Map<Cid, byte[]> blocks) {
        freshLocal.set(blocks);
    }

    /** Announces the heads with the fresh local blocks recorded since the last call (each pushed once). */
    void announceFresh() {
        broadcast(freshLocal.getAndSet(Map.of()));
    }

    /**
     * Announces the heads; those found in {@code fresh} go along with their bytes, at most
     * {@link CrdtBroadcast#MAX_EAGER_BLOCKS} per message. A failing broadcaster is logged, not thrown.
     */
    void broadcast(Map<Cid, byte[]> fresh) {
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
}
