package io.warpstats.crdt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction is crash-safe (docs/crdt.md, "Compaction"): a replica in a child JVM writes passes of 1,000
 * keys and compacts after each (checkpoint, then reaping of the covered blocks), and is killed with SIGKILL
 * at random moments — while it flushes, while it writes a checkpoint, while it reaps — and restarted, up to
 * 10 times. At the end the store reopens, every key has its last value, the history is compacted away, and a
 * new replica that fetches from it reaches exactly the same state.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class CompactionCrashTest {
    @TempDir
    Path dir;

    @Test
    void sigkillDuringCompactionLeavesAStoreThatReopensAndConverges() throws Exception {
        long seed = Long.getLong("warpstats.crash.seed", System.nanoTime());
        Random rnd = new Random(seed);
        int passes = 12, keys = 1000;
        Path db = dir.resolve("db");
        int kills = 0, runs = 0;
        boolean done = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done && runs < 40) {
            runs++;
            boolean mayKill = kills < 10 && System.nanoTime() < deadline;
            int killAfter = mayKill ? 1 + rnd.nextInt(4) : Integer.MAX_VALUE; // progress lines before the kill
            long extraNanos = rnd.nextInt(40) * 1_000_000L; // then a random delay: lands inside a flush, a checkpoint or a reap
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    CompactionCrashChild.class.getName(), db.toString(), Integer.toString(passes), Integer.toString(keys));
            pb.redirectError(dir.resolve("child-" + runs + ".err").toFile());
            Process p = pb.start();
            int lines = 0;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals("DONE")) done = true;
                    if (line.startsWith("STUCK")) throw new AssertionError("child stuck: " + line);
                    if (line.startsWith("flushed") || line.startsWith("compacted")) lines++;
                    if (lines >= killAfter && !done) {
                        if (p.waitFor(extraNanos, TimeUnit.NANOSECONDS)) break; // it ended on its own first
                        p.destroyForcibly();
                        kills++;
                        break;
                    }
                }
            }
            p.waitFor();
        }
        System.out.printf("compaction crash test: seed %d, %d runs, %d kills%n", seed, runs, kills);
        assertThat(done).as("child finished (seed %d, runs %d)", seed, runs).isTrue();
        assertThat(kills).as("kills").isGreaterThan(0);
        try (KvStore s = KvStores.rocksDb(db)) {
            MerkleCrdt crashed = MerkleCrdt.builder(s).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO).build();
            for (int j = 0; j < keys; j++) {
                assertThat(crashed.get(CompactionCrashChild.key(j)).map(b -> ByteBuffer.wrap(b).getInt()))
                        .as("key %d, seed %d", j, seed).contains(passes);
            }
            crashed.compact().join();
            crashed.replication().whenIdle().join();
            assertThat(crashed.metrics().blocksHeld()).as("history compacted away (seed %d)", seed).isLessThan(10);
            // a new replica that fetches from the crashed one ends with exactly its state
            AtomicReference<MerkleCrdt> freshRef = new AtomicReference<>();
            MerkleCrdt fresh = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                    .fetcher(cid -> crashed.replication().block(cid).map(CompletableFuture::completedFuture).orElseGet(() -> {
                        // the sync server's answer: not held, not waited for — compacted away; the walk lets it go
                        if (!crashed.replication().isPending(cid)) freshRef.get().replication().onPruned(cid);
                        return CompletableFuture.failedFuture(new IllegalStateException("compacted away: " + cid));
                    }))
                    .build();
            freshRef.set(fresh);
            crashed.heads().forEach(h -> fresh.replication().onHead(h.cid()));
            fresh.replication().whenIdle().join();
            assertThat(ConvergencePropertiesTest.dump(fresh)).isEqualTo(ConvergencePropertiesTest.dump(crashed));
            assertThat(fresh.metrics().pendingBlocks()).as("nothing left to fetch").isZero();
            fresh.close();
            crashed.close();
        }
    }
}
