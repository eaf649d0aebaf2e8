package io.warpstats.crdt.store;

import io.warpstats.multiformats.Varint;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.TablePropertiesCollectorFactory;
import org.rocksdb.WriteBatch;

/** Factories of {@link KvStore}s, and the RocksDB settings of a long-lived store. */
public final class KvStores {
    /** The memtable size: the write-ahead log of a store holds at most about two of them (the WAL bound). */
    public static final long WRITE_BUFFER_BYTES = 8L << 20;
    /** {@code max_total_wal_size}: a flush is forced past it when a store has several column families. */
    public static final long MAX_TOTAL_WAL_BYTES = 2 * WRITE_BUFFER_BYTES;
    /** One RocksDB info log file ({@code LOG}) is rolled over at this size. */
    public static final long INFO_LOG_BYTES = 1L << 20;
    /** Rolled info log files kept ({@code LOG.old.*}). */
    public static final int INFO_LOGS_KEPT = 2;
    /** The {@code MANIFEST} is rewritten (from the live files only) past this size. */
    public static final long MANIFEST_BYTES = 4L << 20;
    /** Compact-on-deletion: the window of consecutive entries of an SST file that is looked at. */
    public static final long DELETION_WINDOW = 4096;
    /** Compact-on-deletion: an SST file with this many deletions within one window is compacted soon. */
    public static final long DELETION_TRIGGER = 1024;

    /*
     * Compaction deletes covered blocks (and their element rows) in bulk; RocksDB keeps the deleted values
     * on disk until a compaction merges the tombstones with them, and level compaction is driven by size,
     * not deletions: measured at 10,000,000 views, two nodes held 65–74 MB of crdt/ for 50–87 live
     * blocks. The compact-on-deletion collector (RocksDB's CompactOnDeletionCollector) marks an SST file
     * with many tombstones for compaction as it is written, so the space follows the deletions.
     * One native factory for the JVM, shared by every store's options, never freed.
     */
    private static final TablePropertiesCollectorFactory COMPACT_ON_DELETION;

    static {
        RocksDB.loadLibrary();
        COMPACT_ON_DELETION = TablePropertiesCollectorFactory.NewCompactOnDeletionCollectorFactory(DELETION_WINDOW, DELETION_TRIGGER, 0.5);
    }

    private KvStores() {}

    /**
     * New RocksDB options for a store that lives for months (the caller closes them): LZ4 compression of the
     * SST files of the upper levels and ZSTD for the bottommost level (where most data lives; the Maven
     * Central build of rocksdbjni has both), level sizes computed from the last level (so the bottommost level
     * holds ~90 % of the data), write buffer {@value #WRITE_BUFFER_BYTES} bytes ({@link #WRITE_BUFFER_BYTES})
     * with two write buffers at most, so the write-ahead log is bounded by about two memtables (≤ 16 MiB while
     * writing flat out, plus for a moment the log of a memtable just flushed, which RocksDB deletes in the
     * background; ≤ one memtable once the flushes caught up) whatever the store's idle time,
     * {@code max_total_wal_size} {@link #MAX_TOTAL_WAL_BYTES} (RocksDB applies it only with more than one column
     * family), info log files of at most {@link #INFO_LOG_BYTES} with {@link #INFO_LOGS_KEPT} old ones kept, and a
     * {@code MANIFEST} rewritten past {@link #MANIFEST_BYTES}. Obsolete WAL files are deleted, not archived. An SST
     * file with {@link #DELETION_TRIGGER} deletions within {@link #DELETION_WINDOW} consecutive entries, or half its
     * entries deleted, is compacted soon (compact-on-deletion), so deleted blocks leave the disk. Whole-key bloom
     * filters on the SST files (10 bits per key, ~1 % false positives) and on the memtables answer a point read of
     * an absent key without searching the memtable skiplist or reading SST blocks: most point reads of both stores
     * are misses (is this block processed? a tombstone for this element? a post's retweet counter when it only has
     * likes?). Files written before the filters keep working without them until a compaction rewrites them.
     */
    public static Options longLivedOptions() {
        Options options = new Options().setCreateIfMissing(true)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setBottommostCompressionType(CompressionType.ZSTD_COMPRESSION)
                .setLevelCompactionDynamicLevelBytes(true)
                .setWriteBufferSize(WRITE_BUFFER_BYTES)
                .setMaxWriteBufferNumber(2)
                .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
                .setWalTtlSeconds(0)
                .setWalSizeLimitMB(0)
                .setMaxLogFileSize(INFO_LOG_BYTES)
                .setKeepLogFileNum(INFO_LOGS_KEPT)
                .setMaxManifestFileSize(MANIFEST_BYTES)
                .setMemtablePrefixBloomSizeRatio(0.02) // without a prefix extractor: a whole-key filter of the memtable
                .setMemtableWholeKeyFiltering(true)
                .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10, false)));
        options.setTablePropertiesCollectorFactory(java.util.List.of(COMPACT_ON_DELETION));
        return options;
    }

    /** A new empty in-memory store (a {@code ConcurrentSkipListMap}); for tests. */
    public static KvStore inMemory() {
        return new MemoryKvStore();
    }

    /**
     * Opens (creating if needed) a RocksDB store in {@code dir} with the default durability:
     * every write goes to the write-ahead log before it returns, without fsync. A write survives
     * the death of the process (SIGKILL included) but the last few may be lost on a power cut.
     */
    public static KvStore rocksDb(Path dir) {
        return new RocksKvStore(dir, false);
    }

    /**
     * Opens a RocksDB store; with {@code syncWrites} every batch is fsynced before it returns
     * (durable across power loss, at the price of one fsync per write).
     */
    public static KvStore rocksDb(Path dir, boolean syncWrites) {
        return new RocksKvStore(dir, syncWrites);
    }

    /**
     * Flushes {@code db}'s memtable into an SST file and waits for it, so that its write-ahead log files become
     * obsolete (a graceful close leaves no log to replay); a failure is ignored, the log still holds every write.
     */
    public static void flushQuietly(RocksDB db) {
        try (FlushOptions f = new FlushOptions().setWaitForFlush(true)) {
            db.flush(f);
        } catch (RocksDBException e) {
            // the write-ahead log still holds every write: the next open replays it
        }
    }

    /**
     * The bytes of the RocksDB write-ahead log files ({@code *.log}) in {@code dir}: with the live SST
     * files, what a RocksDB store occupies on disk. A file rotated away while listed counts as gone.
     */
    public static long writeAheadLogBytes(Path dir) {
        long wal = 0;
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".log")) wal += java.nio.file.Files.size(f);
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            // a log file rotated away while listed: counted as gone
        }
        return wal;
    }

    /**
     * A RocksDB batch of {@code keys} and {@code values} (a null value is a delete), made by one JNI copy of
     * the batch serialized on the Java side instead of one native call per key. The caller closes it.
     */
    public static WriteBatch writeBatch(List<byte[]> keys, List<byte[]> values) {
        return new WriteBatch(serialize(keys, values));
    }

    /**
     * RocksDB's WriteBatch representation ({@code db/write_batch.cc}, stable on-disk/WAL format):
     * 8-byte sequence (0, set by the write), 4-byte little-endian count, then per record
     * {@code kTypeValue(1) varint32(klen) key varint32(vlen) value} or {@code kTypeDeletion(0) varint32(klen) key}.
     */
    private static byte[] serialize(List<byte[]> keys, List<byte[]> values) {
        int n = 12; // exact: the array goes to RocksDB as it is, no trailing copy
        for (int i = 0; i < keys.size(); i++) {
            byte[] k = keys.get(i), v = values.get(i);
            n += 1 + Varint.size(k.length) + k.length + (v == null ? 0 : Varint.size(v.length) + v.length);
        }
        byte[] r = new byte[n];
        int c = keys.size(), p = 8;
        r[p++] = (byte) c;
        r[p++] = (byte) (c >>> 8);
        r[p++] = (byte) (c >>> 16);
        r[p++] = (byte) (c >>> 24);
        for (int i = 0; i < c; i++) {
            byte[] k = keys.get(i), v = values.get(i);
            r[p++] = (byte) (v == null ? 0 : 1);
            p = Varint.write(k.length, r, p);
            System.arraycopy(k, 0, r, p, k.length);
            p += k.length;
            if (v != null) {
                p = Varint.write(v.length, r, p);
                System.arraycopy(v, 0, r, p, v.length);
                p += v.length;
            }
        }
        return r;
    }
}
