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
}
