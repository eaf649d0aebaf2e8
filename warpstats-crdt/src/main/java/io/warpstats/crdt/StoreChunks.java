package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Walks the entries under a prefix in chunks: each chunk is read by one scan and handed over after the
 * scan has returned, so the consumer may write to the store (a store's scan may hold a lock that its
 * writes need) and memory holds one chunk at most. Entries the consumer writes behind the position
 * already read are not seen again; entries it writes ahead are.
 */
final class StoreChunks {
    private StoreChunks() {}

    /** Hands every entry under {@code prefix} to {@code chunk}, at most {@code size} at a time, in key order. */
    static void forEach(KvStore store, byte[] prefix, int size, Consumer<List<byte[][]>> chunk) {
        byte[] from = prefix;
        boolean first = true;
        while (true) {
            List<byte[][]> entries = new ArrayList<>(Math.min(size, 1024));
            byte[] start = from;
            boolean skipStart = !first;
            store.scan(prefix, start, (k, v) -> {
                if (skipStart && Arrays.equals(k, start)) return true; // read by the previous chunk
                entries.add(new byte[][] {k, v});
                return entries.size() < size;
            });
            if (entries.isEmpty()) return;
            chunk.accept(entries);
            if (entries.size() < size) return;
            from = entries.get(entries.size() - 1)[0];
            first = false;
        }
    }
}
