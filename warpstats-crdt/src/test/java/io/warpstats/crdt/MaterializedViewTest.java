package io.warpstats.crdt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Views registered on the builder: rows in the engine's atomic write, confined to their names, read through the replica. */
class MaterializedViewTest {
    @TempDir Path dir;

    /** Counts the changes of keys under /c/: one row per key, the number of distinct values it had. */
    static MaterializedView counter() {
        return MaterializedView.of("/test/count/", "/c/", (k, o, n, rows) -> {
            long c = rows.get(k).map(v -> ByteBuffer.wrap(v).getLong()).orElse(0L);
            rows.put(k, ByteBuffer.allocate(8).putLong(c + 1).array());
        });
    }

    static MerkleCrdtBuilder manual(KvStore s) {
        return MerkleCrdt.builder(s).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO);
    }

    static long count(MerkleCrdt c, MaterializedView v, String key) {
        return c.view(v).get(key).map(b -> ByteBuffer.wrap(b).getLong()).orElse(0L);
    }

    @Test
    void rowsFollowLocalAndMergedChangesOfWatchedKeysOnly() {
        MaterializedView v = counter();
        try (MerkleCrdt remote = manual(KvStores.inMemory()).build();
             MerkleCrdt c = manual(KvStores.inMemory()).view(v)
                     .fetcher(cid -> CompletableFuture.completedFuture(remote.replication().block(cid).orElseThrow())).build()) {
            c.put("/c/a", "1".getBytes(UTF_8));
            c.put("/other", "1".getBytes(UTF_8));
            c.flush().join();
            remote.put("/c/a", "2".getBytes(UTF_8)); // priority 1 vs 1: the larger value wins, a change
            remote.put("/c/b", "1".getBytes(UTF_8));
            remote.flush().join();
            c.replication().onHead(remote.heads().get(0).cid());
            c.replication().whenIdle().join();
            assertThat(count(c, v, "/c/a")).isEqualTo(2);
            assertThat(count(c, v, "/c/b")).isEqualTo(1);
            assertThat(count(c, v, "/other")).as("not watched").isZero();
        }
    }

    @Test
    void rowsAreDurableWithTheChangeAndSurviveAReopen() {
        Path db = dir.resolve("db");
        MaterializedView v = counter();
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = manual(s).view(v).build()) {
            for (int i = 0; i < 5; i++) {
                c.put("/c/k", Integer.toString(i).getBytes(UTF_8));
                c.flush().join();
            }
        }
        MaterializedView again = counter();
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = manual(s).view(again).build()) {
            assertThat(count(c, again, "/c/k")).isEqualTo(5);
        }
    }

    @Test
    void bookkeepingRowsWrittenThroughTheReplicaAreRead() {
        MaterializedView v = counter();
        try (MerkleCrdt c = manual(KvStores.inMemory()).view(v).build()) {
            c.view(v).put("marker", new byte[] {7});
            assertThat(c.view(v).get("marker")).hasValueSatisfying(b -> assertThat(b).containsExactly(7));
            assertThat(c.get("marker")).as("a row is not a CRDT key").isEmpty();
        }
    }

    @Test
    void anUnregisteredViewIsRefused() {
        try (MerkleCrdt c = manual(KvStores.inMemory()).view(counter()).build()) {
            assertThatThrownBy(() -> c.view(counter())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not registered");
        }
    }

    @Test
    void overlappingNamesAreRefused() {
        MerkleCrdtBuilder ns = manual(KvStores.inMemory()).view(MaterializedView.of("/CRDT/x/", "", (k, o, n, r) -> {}));
        assertThatThrownBy(ns::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace");
        MerkleCrdtBuilder two = manual(KvStores.inMemory())
                .view(MaterializedView.of("/a/", "", (k, o, n, r) -> {}))
                .view(MaterializedView.of("/a/b/", "", (k, o, n, r) -> {}));
        assertThatThrownBy(two::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
        MerkleCrdtBuilder empty = manual(KvStores.inMemory()).view(MaterializedView.of("", "", (k, o, n, r) -> {}));
        assertThatThrownBy(empty::build).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aViewAddedToAnExistingStoreIsBuiltFromTheVisibleState() {
        Path db = dir.resolve("db");
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = manual(s).build()) {
            c.put("/c/a", "1".getBytes(UTF_8));
            c.put("/c/b", "1".getBytes(UTF_8));
            c.put("/other", "1".getBytes(UTF_8));
            c.flush().join();
            c.put("/c/a", "2".getBytes(UTF_8)); // the state, not the history: a counts once
            c.delete("/c/b");
            c.flush().join();
        }
        MaterializedView v = counter();
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = manual(s).view(v).build()) {
            assertThat(count(c, v, "/c/a")).isEqualTo(1);
            assertThat(count(c, v, "/c/b")).isZero();
            assertThat(count(c, v, "/other")).isZero();
        }
    }

    @Test
    void aNewVersionDropsTheOldRowsAndRebuilds() {
        Path db = dir.resolve("db");
        MaterializedView v1 = counter();
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = manual(s).view(v1).build()) {
            for (int i = 0; i < 3; i++) {
                c.put("/c/k", Integer.toString(i).getBytes(UTF_8));
                c.flush().join();
            }
            c.view(v1).put("stale", new byte[] {1});
            assertThat(count(c, v1, "/c/k")).isEqualTo(3);
        }
        MaterializedView v2 = versioned(counter(), 2);
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = manual(s).view(v2).build()) {
            assertThat(count(c, v2, "/c/k")).as("rebuilt from the one visible value").isEqualTo(1);
            assertThat(c.view(v2).get("stale")).as("old rows are dropped").isEmpty();
        }
        MaterializedView again = versioned(counter(), 2);
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = manual(s).view(again).build()) {
            c.put("/c/k", "x".getBytes(UTF_8));
            c.flush().join();
        }
        MaterializedView same = versioned(counter(), 2);
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = manual(s).view(same).build()) {
            assertThat(count(c, same, "/c/k")).as("same version: kept, not rebuilt (a rebuild would give 1)").isEqualTo(2);
        }
    }

    @Test
    void aRebuildCutShortByACrashIsDoneAgain() {
        Path db = dir.resolve("db");
        MaterializedView v = counter();
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = manual(s).view(v).build()) {
            c.put("/c/k", "1".getBytes(UTF_8));
            c.flush().join();
        }
        try (KvStore s = KvStores.rocksDb(db)) { // as a crash leaves it: partial rows, no marker
            s.delete(ViewRebuild.marker("/CRDT", "/test/count/"));
            s.put("/test/count/partial".getBytes(UTF_8), new byte[] {9});
        }
        MaterializedView after = counter();
        try (KvStore s = KvStores.rocksDb(db); MerkleCrdt c = manual(s).view(after).build()) {
            assertThat(c.view(after).get("partial")).isEmpty();
            assertThat(count(c, after, "/c/k")).isEqualTo(1);
        }
    }

    static MaterializedView versioned(MaterializedView v, int version) {
        return new MaterializedView() {
            @Override public String name() { return v.name(); }
            @Override public String watchedPrefix() { return v.watchedPrefix(); }
            @Override public int version() { return version; }
            @Override public void onChange(String key, byte[] o, byte[] n, ViewRows rows) { v.onChange(key, o, n, rows); }
        };
    }
}
