package io.warpstats.crdt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a replica's own checkpoint writes: its blocks and their index rows, not the live elements again.
 * The elements it restates are the store's own rows, read under the same write lock
 * ({@link DeltaMerge#merge} skips them for a local block); a checkpoint that rewrote them would cost
 * O(live state) store writes each time. Other replicas still merge the restated elements
 * ({@code CompactionPropertiesTest} checks the states against a model).
 */
class CheckpointWritesTest {
    @TempDir
    Path dir;

    @Test
    void anOwnCheckpointRewritesNoElementRow() {
        byte[] elementPrefix = "/t/e/".getBytes(UTF_8);
        try (Counting store = new Counting(KvStores.rocksDb(dir.resolve("db")), elementPrefix)) {
            MerkleCrdt crdt = MerkleCrdt.builder(store).namespace("/t").flushDelay(Duration.ZERO)
                    .compaction(new CompactionOptions(Duration.ofHours(1), Long.MAX_VALUE)).build(); // checkpoints only on compact()
            try {
                for (int i = 0; i < 2_000; i++) crdt.put("/likers/p" + (i % 50) + "/u" + i, new byte[] {(byte) i});
                crdt.flush().join();
                for (int i = 0; i < 2_000; i += 2) crdt.delete("/likers/p" + (i % 50) + "/u" + i);
                crdt.flush().join();
                long before = store.elementWrites.get();
                assertThat(before).as("the flushes wrote the elements").isGreaterThanOrEqualTo(2_000);
                crdt.compact().join();
                assertThat(crdt.metrics().checkpoints()).isEqualTo(1);
                assertThat(store.elementWrites.get() - before).as("element rows put by the checkpoint").isZero();
                for (int i = 0; i < 2_000; i++) {
                    Optional<byte[]> v = crdt.get("/likers/p" + (i % 50) + "/u" + i);
                    if (i % 2 == 0) assertThat(v).as("deleted " + i).isEmpty();
                    else assertThat(v.map(b -> b[0])).as("live " + i).contains((byte) i);
                }
            } finally {
                crdt.close();
            }
        }
    }

    /** A store that counts the puts of keys under one prefix in the batches written. */
    static final class Counting implements KvStore {
        final KvStore inner;
        final byte[] prefix;
        final AtomicLong elementWrites = new AtomicLong();

        Counting(KvStore inner, byte[] prefix) {
            this.inner = inner;
            this.prefix = prefix;
        }

        private boolean counted(byte[] key) {
            return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
        }

        @Override public Optional<byte[]> get(byte[] key) { return inner.get(key); }
        @Override public void put(byte[] key, byte[] value) {
            if (counted(key)) elementWrites.incrementAndGet();
            inner.put(key, value);
        }
        @Override public void delete(byte[] key) { inner.delete(key); }
        @Override public void scan(byte[] prefix, BiPredicate<byte[], byte[]> visitor) { inner.scan(prefix, visitor); }
        @Override public void scan(byte[] prefix, byte[] from, BiPredicate<byte[], byte[]> visitor) { inner.scan(prefix, from, visitor); }
        @Override public Batch newBatch() { return new CountingBatch(inner.newBatch()); }
        @Override public void write(Batch batch) { inner.write(((CountingBatch) batch).b); }
        @Override public long sizeOnDiskBytes() { return inner.sizeOnDiskBytes(); }
        @Override public void close() { inner.close(); }
    
        private final class CountingBatch implements Batch {
            final Batch b;

            CountingBatch(Batch b) {
                this.b = b;
            }

            @Override public void put(byte[] key, byte[] value) {
                if (counted(key)) elementWrites.incrementAndGet();
                b.put(key, value);
            }
            @Override public void delete(byte[] key) { b.delete(key); }
            @Override public int size() { return b.size(); }
            @Override public Optional<byte[]> get(byte[] key) { return b.get(key); }
        }
    }
}
