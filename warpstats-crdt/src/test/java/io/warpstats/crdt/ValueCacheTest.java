package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The value cache mirrors the store exactly through commits, deletes and failed (never published) batches. */
class ValueCacheTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsOnceThenFollowsCommittedWrites() {
        try (KvStore store = KvStores.rocksDb(dir.resolve("db"))) {
            store.put(b("ns/v/a"), b("1"));
            ValueCache cache = new ValueCache(b("ns/v/"), 100);

            Txn t1 = new Txn(store, cache);
            assertThat(t1.getOrNull(b("ns/v/a"))).isEqualTo(b("1"));
            assertThat(t1.getOrNull(b("ns/v/a"))).isEqualTo(b("1"));
            assertThat(t1.getOrNull(b("ns/v/missing"))).isNull();
            assertThat(t1.getOrNull(b("ns/v/missing"))).isNull();
            assertThat(cache.misses()).isEqualTo(2);
            assertThat(cache.hits()).isEqualTo(2);
            t1.put(b("ns/v/a"), b("2"));
            t1.put(b("ns/v/missing"), b("3"));
            t1.put(b("ns/e/x"), b("4")); // not covered: never cached
            assertThat(t1.getOrNull(b("ns/v/a"))).isEqualTo(b("2")); // own write first
            t1.commit();
            t1.publishTo(cache);
            assertThat(cache.size()).isEqualTo(2);

            Txn t2 = new Txn(store, cache);
            assertThat(t2.getOrNull(b("ns/v/a"))).isEqualTo(b("2")).isEqualTo(store.get(b("ns/v/a")).orElseThrow());
            assertThat(t2.getOrNull(b("ns/v/missing"))).isEqualTo(b("3"));
            t2.delete(b("ns/v/a"));
            t2.commit();
            t2.publishTo(cache);
            long misses = cache.misses();
            assertThat(new Txn(store, cache).getOrNull(b("ns/v/a"))).isNull();
            assertThat(store.get(b("ns/v/a"))).isEmpty();
            assertThat(cache.misses()).isEqualTo(misses); // answered by the cache

            // a transaction that is dropped (its batch failed or was never written) changes nothing
            Txn t3 = new Txn(store, cache);
            t3.put(b("ns/v/missing"), b("9"));
            assertThat(new Txn(store, cache).getOrNull(b("ns/v/missing"))).isEqualTo(b("3"));
        }
    }

    @Test
    void bounded() {
        try (KvStore store = KvStores.rocksDb(dir.resolve("db2"))) {
            ValueCache cache = new ValueCache(b("v/"), 3);
            Txn t = new Txn(store, cache);
            for (int i = 0; i < 10; i++) t.getOrNull(b("v/" + i));
            assertThat(cache.size()).isLessThanOrEqualTo(3);
            store.put(b("v/0"), b("x")); // dropped when the cache was emptied: read from the store again
            assertThat(new Txn(store, cache).getOrNull(b("v/0"))).isEqualTo(b("x"));
        }
    }
}
