package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renames the element ids of a store written before ids took go-ds-crdt's form ({@link ElementId}):
 * the live elements {@code ns/e/key\0id}, the tombstones {@code ns/t/key\0id} and the early-tombstone
 * index {@code ns/T/id\0key} whose id is a CID string get the same entry under the canonical id.
 *
 * <p>Runs in {@link MerkleCrdtBuilder#build()} before the engine exists (nothing else writes), in batches
 * of {@value #BATCH}, each batch atomic (a renamed entry is written and its old key deleted together).
 * The marker {@code ns/m/ids} is written last; a crash before it leaves some entries renamed and some not,
 * and the next open renames the rest (a canonical id is left as it is), so the upgrade is idempotent.
 */
final class ElementIdUpgrade {
    private static final Logger log = LoggerFactory.getLogger(ElementIdUpgrade.class);
    static final int BATCH = 10_000;
    /** The marker's value: the id form of this release. */
    static final byte VERSION = 2;

    private ElementIdUpgrade() {}

    static byte[] marker(String ns) {
        return (ns + "/m/ids").getBytes(StandardCharsets.UTF_8);
    }

    /** Renames what needs it; returns how many entries were renamed (0 when the marker says done). */
    static long run(KvStore store, String ns) {
        byte[] marker = marker(ns);
        if (store.get(marker).filter(v -> v.length == 1 && v[0] == VERSION).isPresent()) return 0;
        long n = rename(store, (ns + "/e/").getBytes(StandardCharsets.UTF_8), false)
                + rename(store, (ns + "/t/").getBytes(StandardCharsets.UTF_8), false)
                + rename(store, (ns + "/T/").getBytes(StandardCharsets.UTF_8), true);
        store.put(marker, new byte[] {VERSION});
        if (n > 0) log.info("renamed {} element ids to go-ds-crdt's form", n);
        return n;
    }

    /** Entries under {@code prefix}: {@code a\0b}, the id being {@code b} (or {@code a} if {@code idFirst}). */
    private static long rename(KvStore store, byte[] prefix, boolean idFirst) {
        long[] n = {0};
        StoreChunks.forEach(store, prefix, BATCH, entries -> {
            List<byte[][]> moves = new ArrayList<>(); // old key, new key, value
            for (byte[][] e : entries) {
                byte[] k = e[0];
                int nul = -1;
                for (int i = prefix.length; i < k.length; i++) if (k[i] == 0) { nul = i; break; }
                if (nul < 0) continue; // not an entry of this layout: left alone
                String a = new String(k, prefix.length, nul - prefix.length, StandardCharsets.UTF_8);
                String b = new String(k, nul + 1, k.length - nul - 1, StandardCharsets.UTF_8);
                String id = idFirst ? a : b;
                String canonical = ElementId.canonical(id);
                if (canonical.equals(id)) continue;
                byte[] f = (idFirst ? canonical : a).getBytes(StandardCharsets.UTF_8);
                byte[] s = (idFirst ? b : canonical).getBytes(StandardCharsets.UTF_8);
                byte[] nk = Arrays.copyOf(prefix, prefix.length + f.length + 1 + s.length);
                System.arraycopy(f, 0, nk, prefix.length, f.length);
                System.arraycopy(s, 0, nk, prefix.length + f.length + 1, s.length);
                moves.add(new byte[][] {k, nk, e[1]});
            }
            n[0] += moves.size();
            apply(store, moves);
        });
        return n[0];
    }

    private static void apply(KvStore store, List<byte[][]> moves) {
        if (moves.isEmpty()) return;
        KvStore.Batch b = store.newBatch();
        for (byte[][] m : moves) {
            b.delete(m[0]);
            b.put(m[1], m[2]);
        }
        store.write(b);
        moves.clear();
    }
}
