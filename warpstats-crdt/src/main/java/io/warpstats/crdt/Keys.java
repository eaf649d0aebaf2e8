package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * The store key layout of one replica, in one place (also in docs/architecture.md, "Storage"). {@code ns} is the
 * namespace (default {@code /CRDT}); {@code key} is a CRDT key as on the wire (no NUL allowed);
 * {@code cid} is a CID's binary form; {@code \0} separates a key from what follows so that a
 * prefix of keys is a prefix of store keys.
 * <pre>
 * ns/v/key              winning value: 8-byte big-endian priority ‖ value       (absent: no live element)
 * ns/e/key\0id          live element: 8-byte priority ‖ value                    (id = CID string of its block)
 * ns/t/key\0id          tombstone of element id (empty value; kept forever, a tombstone may arrive first)
 * ns/b/cid              processed block: 8-byte height (priority) ‖ block bytes (served to peers): ONE key per block
 * ns/h/dag\0cid         head of DAG dag: 8-byte height
 * ns/p/cid              walk frontier: a block known (announced or linked) but not processed:
 *                       1 byte (1 if a processed block links to it, so it will not become a head) ‖ dag name
 * ns/T/id\0key           an "early" tombstone: element id of key was tombstoned before its block was processed
 *                       (empty value; removed when block id is processed; tells the merge to drop that element)
 * ns/m/dirty            present while a replica is open; found at open: the last run crashed, run repair
 * ns/m/epoch            this store's life: 8 random bytes written into every local delta (created at first open)
 * ns/a/L h cid          index of held blocks by lineage L (author, epoch) and 8-byte height h: empty value
 * ns/c/L                coverage of lineage L: 8-byte height of part 1 of its latest complete checkpoint
 * ns/k/L h              a checkpoint of L whose part 1 is at height h, not complete yet: 4-byte parts merged
 * </pre>
 * A lineage L is written {@code len(author) ‖ author ‖ len(epoch) ‖ epoch} (one length byte each).
 */
final class Keys {
    final byte[] v, e, t, b, h, p, early, dirty, blockCount, epoch, byLineage, coverage, partial;

    Keys(String ns) {
        v = bytes(ns + "/v/");
        e = bytes(ns + "/e/");
        t = bytes(ns + "/t/");
        b = bytes(ns + "/b/");
        h = bytes(ns + "/h/");
        p = bytes(ns + "/p/");
        early = bytes(ns + "/T/");
        dirty = bytes(ns + "/m/dirty");
        blockCount = bytes(ns + "/m/blocks");
        epoch = bytes(ns + "/m/epoch");
        byLineage = bytes(ns + "/a/");
        coverage = bytes(ns + "/c/");
        partial = bytes(ns + "/k/");
    }

    /** The encoded lineage of an author and epoch (each at most 255 bytes). */
    static byte[] lineage(byte[] author, byte[] epoch) {
        byte[] r = new byte[2 + author.length + epoch.length];
        r[0] = (byte) author.length;
        System.arraycopy(author, 0, r, 1, author.length);
        r[1 + author.length] = (byte) epoch.length;
        System.arraycopy(epoch, 0, r, 2 + author.length, epoch.length);
        return r;
    }

    /** {@code a/L h cid}: block {@code cid} of lineage {@code lin} at height {@code height}. */
    byte[] held(byte[] lin, long height, Cid c) {
        byte[] cb = c.toBytes();
        byte[] r = new byte[byLineage.length + lin.length + 8 + cb.length];
        System.arraycopy(byLineage, 0, r, 0, byLineage.length);
        System.arraycopy(lin, 0, r, byLineage.length, lin.length);
        byte[] hb = longBytes(height);
        System.arraycopy(hb, 0, r, byLineage.length + lin.length, 8);
        System.arraycopy(cb, 0, r, byLineage.length + lin.length + 8, cb.length);
        return r;
    }

    byte[] heldPrefix(byte[] lin) { return concat(byLineage, lin); }
    /** The first {@code a/} key of lineage {@code lin} at or above {@code height}. */
    byte[] heldFrom(byte[] lin, long height) { return concat(heldPrefix(lin), longBytes(height)); }
    byte[] coverage(byte[] lin) { return concat(coverage, lin); }
    byte[] partial(byte[] lin, long firstHeight) { return concat(concat(partial, lin), longBytes(firstHeight)); }

    /**
     * The order of strings by their UTF-8 bytes (unsigned), which is code point order: the order of
     * the store's keys. {@link String#compareTo} is UTF-16 unit order, which differs for code points
     * above U+FFFF against U+E000–U+FFFF.
     */
    static final Comparator<String> UTF8_ORDER = (a, b) -> {
        // the common prefix char by char (no code point decoding), backed up onto a pair it split
        int n = Math.min(a.length(), b.length());
        int p = 0;
        while (p < n && a.charAt(p) == b.charAt(p)) p++;
        if (p < n) {
            char x = a.charAt(p), y = b.charAt(p);
            if (!Character.isSurrogate(x) && !Character.isSurrogate(y)) return Integer.compare(x, y);
        }
        if (p > 0 && Character.isHighSurrogate(a.charAt(p - 1))) p--;
        int i = p;
        int j = p;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) return Integer.compare(x, y);
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    /**
     * Sorts {@code a} in {@link #UTF8_ORDER}. Without a surrogate in any of them, UTF-16 unit order is code
     * point order, so {@link String#compareTo} (vectorized by the JIT) sorts them; else the comparator does.
     */
    static void sortUtf8(String[] a) {
        for (String s : a) {
            for (int i = 0; i < s.length(); i++) {
                if (Character.isSurrogate(s.charAt(i))) {
                    java.util.Arrays.sort(a, UTF8_ORDER);
                    return;
                }
            }
        }
        java.util.Arrays.sort(a);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] r = new byte[a.length + b.length + 1 + c.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        System.arraycopy(c, 0, r, a.length + b.length + 1, c.length);
        return r;
    }

    byte[] value(String key) { return concat(v, bytes(key)); }
    /** {@link #value(String)} of a key given as its UTF-8 bytes. */
    byte[] valueOf(byte[] key) { return concat(v, key); }
    /** {@link #element(String, byte[])} of a key given as its UTF-8 bytes. */
    byte[] elementOf(byte[] key, byte[] id) { return concat(e, key, id); }
    byte[] elementPrefix(String key) { return concat(e, bytes(key), new byte[0]); }
    byte[] element(String key, String id) { return concat(e, bytes(key), bytes(id)); }
    byte[] tombstone(String key, String id) { return concat(t, bytes(key), bytes(id)); }
    byte[] element(String key, byte[] id) { return concat(e, bytes(key), id); }
    byte[] tombstone(String key, byte[] id) { return concat(t, bytes(key), id); }
    byte[] processed(Cid c) { return concat(b, c.toBytes()); }
    byte[] headPrefix(String dag) { return concat(h, bytes(dag), new byte[0]); }
    byte[] head(String dag, Cid c) { return concat(h, bytes(dag), c.toBytes()); }
    byte[] pending(Cid c) { return concat(p, c.toBytes()); }
    byte[] early(String id, String key) { return concat(early, bytes(id), bytes(key)); }

    static byte[] prioValue(long prio, byte[] value) {
        byte[] r = new byte[8 + value.length];
        putLong(r, prio);
        System.arraycopy(value, 0, r, 8, value.length);
        return r;
    }

    static byte[] longBytes(long x) {
        byte[] r = new byte[8];
        putLong(r, x);
        return r;
    }

    static void putLong(byte[] r, long x) {
        for (int i = 7; i >= 0; i--) {
            r[i] = (byte) x;
            x >>>= 8;
        }
    }

    static long getLong(byte[] r) {
        long x = 0;
        for (int i = 0; i < 8; i++) x = (x << 8) | (r[i] & 0xFF);
        return x;
    }
}
