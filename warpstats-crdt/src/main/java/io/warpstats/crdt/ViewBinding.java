package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A registered {@link MaterializedView} as the engine calls it: filters changes by the view's watched
 * prefix and confines the view's reads and writes to the store keys under its name. Immutable;
 * {@link #onChange} runs on the engine's writer (under its write lock), {@link #committed} on any thread.
 */
final class ViewBinding implements ChangeListener {
    final MaterializedView view;
    private final String watched;
    private final byte[] name;

    ViewBinding(MaterializedView view) {
        this.view = view;
        this.watched = view.watchedPrefix();
        this.name = view.name().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks the views' names: not empty, and no name a prefix of another or of the CRDT namespace
     * (and the namespace not a prefix of a name): a view can never write CRDT state or another view's rows.
     */
    static void checkNames(String namespace, List<MaterializedView> views) {
        for (int i = 0; i < views.size(); i++) {
            String a = views.get(i).name();
            if (a == null || a.isEmpty()) throw new IllegalArgumentException("a view needs a non-empty name");
            if (views.get(i).watchedPrefix() == null) throw new IllegalArgumentException("view " + a + ": watchedPrefix is null");
            if (a.startsWith(namespace) || namespace.startsWith(a)) {
                throw new IllegalArgumentException("view " + a + " overlaps the CRDT namespace " + namespace);
            }
            for (int j = 0; j < i; j++) {
                String b = views.get(j).name();
                if (a.startsWith(b) || b.startsWith(a)) throw new IllegalArgumentException("views " + b + " and " + a + " overlap");
            }
        }
    }

    private byte[] key(String row) {
        byte[] r = row.getBytes(StandardCharsets.UTF_8);
        byte[] k = new byte[name.length + r.length];
        System.arraycopy(name, 0, k, 0, name.length);
        System.arraycopy(r, 0, k, name.length, r.length);
        return k;
    }

    @Override
    public void onChange(String key, byte[] oldValue, byte[] newValue, KvStore.Batch batch) {
        if (!key.startsWith(watched)) return;
        view.onChange(key, oldValue, newValue, new ViewRows() {
            @Override
            public Optional<byte[]> get(String row) {
                return batch.get(key(row));
            }

            @Override
            public void put(String row, byte[] value) {
                batch.put(key(row), value);
            }

            @Override
            public void afterCommit(Runnable task) {
                if (batch instanceof Txn t) t.afterCommit(task);
                else task.run(); // a rebuild writes its rows before the replica opens: nothing reads them yet
            }
        });
    }

    /** The committed rows: reads from the store, bookkeeping writes as single durable puts. */
    ViewRows committed(KvStore store) {
        return new ViewRows() {
            @Override
            public Optional<byte[]> get(String row) {
                return store.get(key(row));
            }

            @Override
            public void put(String row, byte[] value) {
                store.put(key(row), value);
            }

            @Override
            public void afterCommit(Runnable task) {
                task.run();
            }
        };
    }
}
