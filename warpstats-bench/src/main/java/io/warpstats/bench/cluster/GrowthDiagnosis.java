package io.warpstats.bench.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * What the disk of a stopped RocksDB store is made of, for {@link GrowthBench}'s log: its files by kind (SST,
 * write-ahead log, the rest), the rows it still holds (every key, at key + value bytes) and, per level, the SST
 * files' entries and deletions (RocksDB's table properties). SST bytes far above the rows held mean deleted rows
 * (and their tombstones) still sit in SST files; a large log means an unflushed memtable.
 */
final class GrowthDiagnosis {
    private static final Pattern ENTRIES = Pattern.compile("# entries=(\\d+)");
    private static final Pattern DELETIONS = Pattern.compile("# deletions=(\\d+)");
    private static final Pattern RAW_KEYS = Pattern.compile("raw key size=(\\d+)");
    private static final Pattern RAW_VALUES = Pattern.compile("raw value size=(\\d+)");

    private GrowthDiagnosis() {}

    /** One line describing the store in {@code db} (opened read-only; the store must be closed). */
    static String describe(Path db) {
        try {
            long sst = 0, log = 0, other = 0;
            try (Stream<Path> s = Files.list(db)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    if (!Files.isRegularFile(p)) continue;
                    String f = p.getFileName().toString();
                    long n = Files.size(p);
                    if (f.endsWith(".sst")) sst += n;
                    else if (f.endsWith(".log")) log += n;
                    else other += n;
                }
            }
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%s: sst %,d, log %,d, other files %,d", db.getFileName(), sst, log, other));
            try (Options o = new Options(); RocksDB r = RocksDB.openReadOnly(o, db.toString()); RocksIterator it = r.newIterator()) {
                long rows = 0, rowBytes = 0;
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    rows++;
                    rowBytes += it.key().length + it.value().length;
                }
                out.append(String.format(Locale.ROOT, "; rows held %,d (%,d B); estimate-live-data-size %,d", rows, rowBytes,
                        r.getLongProperty("rocksdb.estimate-live-data-size")));
                for (int level = 0; level < 7; level++) {
                    long files = Long.parseLong(r.getProperty("rocksdb.num-files-at-level" + level).trim());
                    if (files == 0) continue;
                    String t = r.getProperty("rocksdb.aggregated-table-properties-at-level" + level);
                    out.append(String.format(Locale.ROOT, "; L%d: %d files, %,d entries, %,d deletions, raw %,d B", level, files,
                            number(ENTRIES, t), number(DELETIONS, t), number(RAW_KEYS, t) + number(RAW_VALUES, t)));
                }
            }
            return out.toString();
        } catch (IOException | RocksDBException | RuntimeException e) {
            return db.getFileName() + ": not described (" + e + ")";
        }
    }

    /** Describes each store directory given (closed stores), one line each. */
    public static void main(String[] args) {
        for (String a : args) System.out.println(describe(Path.of(a)));
    }

    private static long number(Pattern p, String s) {
        Matcher m = p.matcher(s);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
