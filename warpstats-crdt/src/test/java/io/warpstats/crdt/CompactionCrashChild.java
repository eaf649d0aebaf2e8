package io.warpstats.crdt;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The replica run in a child JVM by {@link CompactionCrashTest}: opens RocksDB at args[0] and runs passes
 * 1..args[1]; pass r puts r into each of args[2] keys in chunks of 100 keys per flush, then compacts
 * (checkpoint + reap). It resumes at the last pass any key reached (a pass is idempotent), prints
 * "flushed r", "compacted r" and, when all passes are done and nothing is pending, "DONE".
 */
public final class CompactionCrashChild {
    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        int passes = Integer.parseInt(args[1]), keys = Integer.parseInt(args[2]);
        KvStore store = KvStores.rocksDb(Path.of(args[0]));
        MerkleCrdt crdt = MerkleCrdt.builder(store).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                .compaction(new CompactionOptions(Duration.ofHours(1), Long.MAX_VALUE)).build();
        int start = 1;
        for (int j = 0; j < keys; j++) {
            int v = crdt.get(key(j)).map(b -> ByteBuffer.wrap(b).getInt()).orElse(1);
            start = Math.max(start, v);
        }
        out.println("started " + start);
        for (int r = start; r <= passes; r++) {
            for (int j = 0; j < keys; j++) {
                crdt.put(key(j), ByteBuffer.allocate(4).putInt(r).array());
                if (j % 100 == 99) crdt.flush().join();
            }
            crdt.flush().join();
            out.println("flushed " + r);
            crdt.compact().join();
            out.println("compacted " + r);
        }
        crdt.replication().whenIdle().join();
        out.println(crdt.metrics().pendingBlocks() == 0 ? "DONE" : "STUCK " + crdt.metrics());
        crdt.close();
        store.close();
        System.exit(0);
    }

    static String key(int j) {
        return "/k/" + j;
    }
}
