package io.warpstats.crdt.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.TableProperties;

/** The RocksDB settings of a long-lived store ({@link KvStores#longLivedOptions()}), on a real RocksDB. */
@Timeout(120)
class LongLivedStoreTest {
    @TempDir
    Path dir;

    /**
     * 64 MB of batches through the store: the write-ahead log never holds more than two write buffers plus the
     * file of a flushed one, which RocksDB deletes in the background just after the flush (seen up to 17.6 MB on a
     * loaded machine). Without the bound (no flushes) it would hold all 64 MB.
     */
    @Test
    void theWriteAheadLogStaysWithinThreeWriteBuffersAndAGracefulCloseLeavesNone() {
        Path db = dir.resolve("wal");
        long bound = 3 * KvStores.WRITE_BUFFER_BYTES;
        long largest = 0;
        SplittableRandom rnd = new SplittableRandom(7);
        try (KvStore s = KvStores.rocksDb(db)) {
            byte[] value = new byte[400];
            for (int b = 0; b < 1_600; b++) { // 1,600 batches × 100 keys × ~420 bytes
                KvStore.Batch batch = s.newBatch();
                for (int i = 0; i < 100; i++) {
                    rnd.nextBytes(value); // incompressible: the log holds what was written
                    batch.put(("/k/" + b + "/" + i).getBytes(UTF_8), value.clone());
                }
                s.write(batch);
                largest = Math.max(largest, KvStores.writeAheadLogBytes(db));
            }
            assertThat(largest).as("largest write-ahead log seen").isPositive().isLessThanOrEqualTo(bound);
        }
        assertThat(KvStores.writeAheadLogBytes(db)).as("write-ahead log after a graceful close").isZero();
        try (KvStore s = KvStores.rocksDb(db)) { // and nothing was lost by the flush at close
            assertThat(s.get("/k/1599/99".getBytes(UTF_8))).isPresent();
            assertThat(s.get("/k/0/0".getBytes(UTF_8))).isPresent();
        }
    }

    /** Flushed files are LZ4; after a full compaction every file is in the bottommost level, ZSTD. */
    @Test
    void upperLevelsAreLz4AndTheBottommostLevelIsZstd() throws Exception {
        Path db = dir.resolve("zstd");
        try (KvStore s = KvStores.rocksDb(db)) {
            fill(s, 20_000);
        } // the close flushes the memtable into a level-0 file
        assertThat(compressions(db)).containsExactly("LZ4");
        try (KvStore s = KvStores.rocksDb(db)) {
            s.compact();
        }
        assertThat(compressions(db)).containsExactly("ZSTD");
    }

    /**
     * Deleted rows leave the disk without a full compaction (compact-on-deletion): 8 MB written and flushed,
     * then every key deleted and flushed. Size-driven compaction alone would keep both level-0 files (the
     * level-0 trigger is four files); the file of tombstones is marked for compaction as it is written.
     */
    @Test
    void deletedRowsLeaveTheDiskWithoutAFullCompaction() {
        Path db = dir.resolve("deletes");
        int n = 20_000;
        try (KvStore s = KvStores.rocksDb(db)) {
            byte[] value = new byte[400];
            SplittableRandom rnd = new SplittableRandom(11);
            for (int b = 0; b < n / 100; b++) {
                KvStore.Batch batch = s.newBatch();
                for (int i = 0; i < 100; i++) {
                    rnd.nextBytes(value);
                    batch.put(("/block/" + b + "/" + i).getBytes(UTF_8), value.clone());
                }
                s.write(batch);
            }
        } // flushed at close
        long written;
        try (KvStore s = KvStores.rocksDb(db)) {
            written = s.sizeOnDiskBytes();
            assertThat(written).isGreaterThan(7_000_000);
            for (int b = 0; b < n / 100; b++) {
                KvStore.Batch batch = s.newBatch();
                for (int i = 0; i < 100; i++) batch.delete(("/block/" + b + "/" + i).getBytes(UTF_8));
                s.write(batch);
            }
        } // the tombstones are flushed at close
        try (KvStore s = KvStores.rocksDb(db)) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (s.sizeOnDiskBytes() > written / 10 && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000); // compaction runs on RocksDB's threads; a bounded poll of its result
            }
            assertThat(s.sizeOnDiskBytes()).as("bytes on disk after deleting %d bytes' worth of rows", written).isLessThan(written / 10);
        }
    }

    /** {@code sizeOnDiskBytes} is the live SST files plus the write-ahead log: what the directory's data files take. */
    @Test
    void sizeOnDiskIsTheLiveSstFilesPlusTheWriteAheadLog() throws IOException {
        Path db = dir.resolve("size");
        try (KvStore s = KvStores.rocksDb(db)) {
            fill(s, 20_000);
            long inMemtable = s.sizeOnDiskBytes();
            assertThat(KvStores.writeAheadLogBytes(db)).isPositive();
            assertThat(inMemtable).isEqualTo(dataFileBytes(db)); // nothing flushed yet: all of it is the log
            s.compact(); // flushes, compacts: the log is replaced by SST files
            assertThat(s.sizeOnDiskBytes()).isEqualTo(dataFileBytes(db)).isPositive();
            assertThat(s.sizeOnDiskBytes()).as("compressed: the values repeat").isLessThan(inMemtable / 2);
        }
    }

    private static void fill(KvStore s, int keys) {
        for (int i = 0; i < keys; i += 500) {
            KvStore.Batch batch = s.newBatch();
            for (int j = i; j < i + 500; j++) {
                batch.put(("/incr/views/post-" + j + "/12D3KooWnode").getBytes(UTF_8), ("value of post " + (j % 97)).repeat(4).getBytes(UTF_8));
            }
            s.write(batch);
        }
    }

    /** The bytes of the {@code *.sst} and {@code *.log} files of {@code db}. */
    private static long dataFileBytes(Path db) throws IOException {
        long n = 0;
        try (Stream<Path> files = Files.list(db)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.endsWith(".sst") || name.endsWith(".log")) n += Files.size(f);
            }
        }
        return n;
    }

    /** The compression of every SST file of the (closed) database in {@code db}. */
    private static Set<String> compressions(Path db) throws Exception {
        Set<String> out = new HashSet<>();
        try (Options o = new Options(); RocksDB r = RocksDB.openReadOnly(o, db.toString())) {
            for (TableProperties p : r.getPropertiesOfAllTables().values()) out.add(p.getCompressionName());
        }
        return out;
    }
}
