package io.warpstats.stats;

import io.warpstats.crdt.ChangeListener;
import io.warpstats.crdt.Head;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.ipld.Cid;
import io.warpstats.crdt.store.KvStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/** A test double of the engine: last write wins per key, listener called on flush and merge, state in a KvStore. */
final class FakeCrdt implements MerkleCrdt {
    private final KvStore store;
    private final List<ChangeListener> listeners = new ArrayList<>();
    private final TreeMap<String, byte[]> pending = new TreeMap<>();
    private static final byte[] TOMB = new byte[0];
    private volatile boolean closed;
    int flushes;

    FakeCrdt(KvStore store) {
        this.store = store;
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
    }

    @Override public String dagName() { return "test"; }

    @Override public synchronized void put(String key, byte[] value) { open(); pending.put(key, value.clone()); }

    @Override public synchronized void delete(String key) { open(); pending.put(key, TOMB); }

    @Override public synchronized Optional<byte[]> get(String key) {
        open();
        byte[] p = pending.get(key);
        if (p != null) {
            return p == TOMB ? Optional.empty() : Optional.of(p);
        }
        return store.get(k(key));
    }

    private static byte[] k(String key) { return ("/CRDT" + key).getBytes(); }

    @Override public synchronized void query(String prefix, BiConsumer<String, byte[]> visitor) {
        open();
        TreeMap<String, byte[]> all = new TreeMap<>();
        store.scan(k(prefix), (kk, v) -> { all.put(new String(kk).substring(5), v); return true; });
        for (Map.Entry<String, byte[]> e : pending.subMap(prefix, prefix + "\uffff").entrySet()) {
            if (e.getValue() == TOMB) { all.remove(e.getKey()); } else { all.put(e.getKey(), e.getValue()); }
        }
        all.forEach(visitor);
    }

    @Override public synchronized CompletableFuture<Void> flush() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("closed"));
        }
        apply(new TreeMap<>(pending));
        pending.clear();
        flushes++;
        return CompletableFuture.completedFuture(null);
    }

    /** Applies remote values (null: delete) as a merge would. */
    synchronized void merge(Map<String, byte[]> remote) {
        apply(remote);
    }

    private void apply(Map<String, byte[]> changes) {
        KvStore.Batch b = store.newBatch();
        for (Map.Entry<String, byte[]> e : changes.entrySet()) {
            byte[] old = store.get(k(e.getKey())).orElse(null);
            byte[] nw = e.getValue() == null || e.getValue() == TOMB ? null : e.getValue();
            if (nw == null) { b.delete(k(e.getKey())); } else { b.put(k(e.getKey()), nw); }
            for (ChangeListener l : listeners) { l.onChange(e.getKey(), old, nw, b); }
        }
        store.write(b);
    }

    @Override public List<Head> heads() { return List.of(); }
    @Override public void onBroadcast(byte[] crdtBroadcast) {}
    @Override public void onHead(Cid head) {}
    @Override public void addListener(ChangeListener listener) { listeners.add(listener); }
    @Override public void close() { closed = true; }
}
