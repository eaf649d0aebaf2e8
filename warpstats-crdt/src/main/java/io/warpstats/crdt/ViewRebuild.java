package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings each registered {@link MaterializedView} up to date with the stored state before the engine
 * opens: a view whose stored version differs from {@link MaterializedView#version()} (a new view, or a
 * view whose rows mean something new after an upgrade) has its rows deleted and rebuilt by replaying
 * every visible key under its watched prefix as {@code onChange(key, null, value)}.
 *
 * <p>Why it is safe: it runs in {@link MerkleCrdtBuilder#build()} before the engine exists, so nothing
 * merges or flushes meanwhile, and the visible values ({@code ns/v/}) are exactly the state the view
 * derives from. Crash safety: the version marker ({@code ns/m/view/NAME}) is written last, in its own
 * write after every row; a crash before it leaves the old (or no) marker, and the next open deletes the
 * partial rows and rebuilds again. Rows are written in batches of {@value #BATCH_ROWS}, so memory stays
 * bounded by a batch plus the rows of the keys replayed since the last batch.
 *
 * <p>Cost: one scan of the watched visible keys per rebuilt view; nothing when the versions match.
 */
final class ViewRebuild {
    private static final Logger log = LoggerFactory.getLogger(ViewRebuild.class);
    /** Rows written per store batch while rebuilding. */
    static final int BATCH_ROWS = 10_000;

    private ViewRebuild() {}

    /** The store key of {@code view}'s version marker under namespace {@code ns}. */
    static byte[] marker(String ns, String viewName) {
        return (ns + "/m/view/" + viewName).getBytes(StandardCharsets.UTF_8);
    }

    /** Rebuilds every view of {@code views} whose stored version is not its own; returns how many were rebuilt. */
    static int upToDate(KvStore store, String ns, List<ViewBinding> views) {
        int rebuilt = 0;
        for (ViewBinding b : views) {
            byte[] marker = marker(ns, b.view.name());
            int want = b.view.version();
            Optional<byte[]> have = store.get(marker);
            if (have.isPresent() && have.get().length == 4 && ByteBuffer.wrap(have.get()).getInt() == want) continue;
            long keys = rebuild(store, ns, b);
            store.put(marker, ByteBuffer.allocate(4).putInt(want).array());
            log.info("view {} rebuilt to version {} from {} visible keys", b.view.name(), want, keys);
            rebuilt++;
        }
        return rebuilt;
    }

    private static long rebuild(KvStore store, String ns, ViewBinding b) {
        byte[] name = b.view.name().getBytes(StandardCharsets.UTF_8);
        // 1. delete the old rows (in batches)
        List<byte[]> old = new ArrayList<>();
        store.scan(name, (k, v) -> {
            old.add(k);
            if (old.size() >= BATCH_ROWS) {
                KvStore.Batch del = store.newBatch();
                old.forEach(del::delete);
                store.write(del);
                old.clear();
            }
            return true;
        });
        if (!old.isEmpty()) {
            KvStore.Batch del = store.newBatch();
            old.forEach(del::delete);
            store.write(del);
        }
        // 2. replay the visible values under the watched prefix
        byte[] valuePrefix = (ns + "/v/").getBytes(StandardCharsets.UTF_8);
        byte[] watched = (ns + "/v/" + b.view.watchedPrefix()).getBytes(StandardCharsets.UTF_8);
        Overlay rows = new Overlay(store);
        long[] n = {0};
        store.scan(watched, (k, v) -> {
            String key = new String(k, valuePrefix.length, k.length - valuePrefix.length, StandardCharsets.UTF_8);
            byte[] value = Arrays.copyOfRange(v, 8, v.length); // 8-byte priority ‖ value
            b.onChange(key, null, value, rows);
            n[0]++;
            if (rows.size() >= BATCH_ROWS) rows.writeOut();
            return true;
        });
        rows.writeOut();
        return n[0];
    }

    /** A batch that reads its own writes (the engine's batches do; a plain store batch need not). */
    private static final class Overlay implements KvStore.Batch {
        private final KvStore store;
        private final Map<ByteBuffer, byte[]> writes = new HashMap<>();

        Overlay(KvStore store) {
            this.store = store;
        }

        @Override
        public void put(byte[] key, byte[] value) {
            writes.put(ByteBuffer.wrap(key.clone()), value.clone());
        }

        @Override
        public void delete(byte[] key) {
            throw new UnsupportedOperationException("a rebuilt view only adds rows");
        }

        @Override
        public int size() {
            return writes.size();
        }

        @Override
        public Optional<byte[]> get(byte[] key) {
            byte[] v = writes.get(ByteBuffer.wrap(key));
            return v != null ? Optional.of(v) : store.get(key);
        }

        void writeOut() {
            if (writes.isEmpty()) return;
            KvStore.Batch batch = store.newBatch();
            writes.forEach((k, v) -> {
                byte[] key = new byte[k.remaining()];
                k.duplicate().get(key);
                batch.put(key, v);
            });
            store.write(batch);
            writes.clear();
        }
    }
}
