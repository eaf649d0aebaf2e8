package io.warpstats.crdt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local changes since the last flush: key → latest value, plus the keys deleted. The hot
 * path of {@code put} is one {@link ConcurrentHashMap#put} (no allocation once a key is in the
 * map; the value array is taken over, not copied). A put after a delete of the same key keeps
 * both: the delta then tombstones the old elements and adds the new one, exactly the sequential
 * meaning. A delete after a put drops the put (it never left this replica).
 */
final class PendingWrites {
    static final byte[] DELETED = new byte[0];
    private final ConcurrentHashMap<String, byte[]> puts;
    private final Set<String> deletes = ConcurrentHashMap.newKeySet();
    private final AtomicInteger keys = new AtomicInteger();

    PendingWrites() {
        this(16);
    }

    /** {@code expectedKeys}: a size hint (the map is sized for it: no rehashing while a busy generation fills up). */
    PendingWrites(int expectedKeys) {
        puts = new ConcurrentHashMap<>(Math.max(16, Math.min(expectedKeys, 1 << 20)));
    }

    /** Returns the number of distinct keys touched (approximately, under races). */
    int put(String key, byte[] value) {
        if (puts.put(key, value) == null && !deletes.contains(key)) return keys.incrementAndGet();
        return keys.get();
    }

    int delete(String key) {
        puts.remove(key);
        if (deletes.add(key)) return keys.incrementAndGet();
        return keys.get();
    }

    /** Distinct keys touched (approximately, under races). */
    int size() {
        return keys.get();
    }

    boolean isEmpty() {
        return puts.isEmpty() && deletes.isEmpty();
    }

    /** The pending value, {@link #DELETED}, or {@code null} if the key is untouched. */
    byte[] get(String key) {
        byte[] v = puts.get(key);
        if (v != null) return v;
        return deletes.contains(key) ? DELETED : null;
    }

    List<String> sortedDeletes() {
        List<String> r = new ArrayList<>(deletes);
        Collections.sort(r);
        return r;
    }

    List<Element> sortedElements() {
        TreeMap<String, byte[]> sorted = new TreeMap<>(puts);
        List<Element> r = new ArrayList<>(sorted.size());
        for (Map.Entry<String, byte[]> e : sorted.entrySet()) r.add(Element.of(e.getKey(), e.getValue()));
        return r;
    }

    /** The number of pending deletes of keys under {@code prefix}. */
    int deletesUnder(String prefix) {
        int n = 0;
        for (String d : deletes) if (d.startsWith(prefix)) n++;
        return n;
    }

    /** Applies these pending changes under {@code prefix} over {@code view} (a query result). */
    void overlay(String prefix, TreeMap<String, byte[]> view) {
        for (String d : deletes) if (d.startsWith(prefix)) view.remove(d);
        puts.forEach((k, v) -> {
            if (k.startsWith(prefix)) view.put(k, v);
        });
    }

    /** Puts back the changes of an older generation whose flush failed, under the newer ones. */
    void mergeOlder(PendingWrites older) {
        for (String d : older.deletes) {
            if (deletes.add(d)) keys.incrementAndGet();
        }
        older.puts.forEach((k, v) -> {
            if (!deletes.contains(k) && puts.putIfAbsent(k, v) == null) keys.incrementAndGet();
        });
    }
}
