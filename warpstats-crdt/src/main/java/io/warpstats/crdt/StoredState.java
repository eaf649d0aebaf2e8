package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a replica reads back from its store when it opens (key layout: {@link Keys}): the heads,
 * the durable walk frontier, the early-tombstone index, and — after an unclean close (the dirty
 * flag) — the repair pass that re-derives the frontier from the DAG below the heads. Stateless;
 * called by the engine's constructor before any merge or fetch starts.
 */
final class StoredState {
    private static final Logger log = LoggerFactory.getLogger(StoredState.class);

    private StoredState() {}

    /** Reads the stored heads of every DAG into {@code heads}. */
    static void loadHeads(KvStore store, Keys keys, Map<String, Map<Cid, Long>> heads) {
        store.scan(keys.h, (k, v) -> {
            int start = keys.h.length;
            int sep = indexOf(k, (byte) 0, start);
            String dag = new String(k, start, sep - start, StandardCharsets.UTF_8);
            Cid cid = Cid.fromBytes(Arrays.copyOfRange(k, sep + 1, k.length));
            heads.computeIfAbsent(dag, d -> new ConcurrentHashMap<>()).put(cid, Keys.getLong(v));
            return true;
        });
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) if (a[i] == b) return i;
        throw new IllegalStateException("corrupt key: no separator");
    }

    /** Reads the T/ index (elements tombstoned before their block was processed) into {@code early}. */
    static void loadEarly(KvStore store, Keys keys, Map<String, Set<String>> early) {
        store.scan(keys.early, (k, v) -> {
            int start = keys.early.length;
            int sep = indexOf(k, (byte) 0, start);
            String id = new String(k, start, sep - start, StandardCharsets.UTF_8);
            String key = new String(k, sep + 1, k.length - sep - 1, StandardCharsets.UTF_8);
            early.computeIfAbsent(id, x -> new HashSet<>()).add(key);
            return true;
        });
    }

    /**
     * This store's epoch ({@code m/epoch}): 8 random bytes created at the first open, so that a wiped store
     * writing under the same key starts a new lineage that no earlier checkpoint covers.
     */
    static byte[] loadEpoch(KvStore store, Keys keys) {
        Optional<byte[]> v = store.get(keys.epoch);
        if (v.isPresent() && v.get().length == 8) return v.get();
        byte[] e = new byte[8];
        new java.security.SecureRandom().nextBytes(e);
        store.put(keys.epoch, e);
        return e;
    }

    /**
     * The number of processed blocks: the {@code m/blocks} counter, or, in a store written before it
     * existed, a count of the {@code b/} keys, written down at once (one scan, the first time only).
     */
    static long loadBlockCount(KvStore store, Keys keys) {
        Optional<byte[]> v = store.get(keys.blockCount);
        if (v.isPresent() && v.get().length == 8) return Keys.getLong(v.get());
        long[] n = {0};
        store.scan(keys.b, (k, val) -> {
            n[0]++;
            return true;
        });
        store.put(keys.blockCount, Keys.longBytes(n[0]));
        return n[0];
    }

    static void loadFrontier(KvStore store, Keys keys, Map<Cid, byte[]> frontier) {
        store.scan(keys.p, (k, v) -> {
            frontier.put(Cid.fromBytes(Arrays.copyOfRange(k, keys.p.length, k.length)), v);
            return true;
        });
    }

    /**
     * Re-derives the walk frontier from what is stored: every block reachable from a head is
     * either processed (and stored) or must be in the frontier. With atomic batches this finds
     * nothing to do; it is the safety net the dirty flag stands for (a store that lost its tail,
     * a bug). Cost: one pass over the processed blocks. In a store that merged a checkpoint, a missing
     * link is a block compacted away (docs/crdt.md, "Compaction"), so only corrupt blocks are refetched.
     */
    static void repair(KvStore store, Keys keys, Map<String, Map<Cid, Long>> heads) {
        log.info("replica was not closed cleanly: checking the DAG below the heads");
        // once a checkpoint has been merged, links to blocks compacted away are normal: they are not a lost tail
        boolean[] compacted = {false};
        store.scan(keys.coverage, (k, v) -> {
            compacted[0] = true;
            return false;
        });
        ArrayDeque<Cid> todo = new ArrayDeque<>();
        Set<Cid> seen = new HashSet<>();
        for (Map<Cid, Long> m : heads.values()) todo.addAll(m.keySet());
        KvStore.Batch fix = store.newBatch();
        while (!todo.isEmpty()) {
            Cid c = todo.poll();
            if (!seen.add(c)) continue;
            Optional<byte[]> bytes = store.get(keys.processed(c)).map(r -> Arrays.copyOfRange(r, 8, r.length)); // marker and block are one key
            if (bytes.isEmpty()) {
                if (!compacted[0] && store.get(keys.pending(c)).isEmpty()) {
                    fix.put(keys.pending(c), new byte[] {1});
                }
                continue;
            }
            Block b;
            try {
                b = Block.decode(bytes.get());
            } catch (IllegalArgumentException e) {
                log.warn("stored block {} is corrupt; refetching it", c);
                fix.delete(keys.processed(c));
                fix.put(keys.pending(c), new byte[] {1});
                continue;
            }
            todo.addAll(b.links());
        }
        if (fix.size() > 0) {
            log.warn("repair: {} blocks added to the walk frontier", fix.size());
            store.write(fix);
        }
    }
}
