package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Counts read right after this node's own writes, whether or not the engine has flushed them yet. */
class ReadYourWritesTest {
    @TempDir Path dir;

    @Test
    void likeUnlikeLikeReadsExactlyBeforeAndAfterEveryFlush() throws Exception {
        StatsService stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA")
                .flushInterval(Duration.ofHours(1)).open();
        try (MerkleCrdt crdt = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ofHours(1))
                .rebroadcastInterval(Duration.ZERO).view(stats.view()).build()) {
            stats.attach(crdt);
            stats.like("p", "other");
            for (int i = 0; i < 50; i++) {
                stats.like("p", "u");
                assertThat(stats.stats("p").likes()).as("after like %d", i).isEqualTo(2);
                if (i % 2 == 0) crdt.flush().join(); // durable: the count row has it, the pending adjustment does not
                assertThat(stats.stats("p").likes()).as("after like %d and flush", i).isEqualTo(2);
                stats.unlike("p", "u");
                assertThat(stats.stats("p").likes()).as("after unlike %d", i).isEqualTo(1);
                if (i % 3 == 0) crdt.flush().join();
                assertThat(stats.stats("p").likes()).as("after unlike %d and flush", i).isEqualTo(1);
                if (i % 5 == 0) ((DefaultStatsService) stats).drainOutbox(); // the outbox forgets what is flushed
                assertThat(stats.stats("p").likes()).as("after drain %d", i).isEqualTo(1);
            }
        } finally {
            stats.close();
        }
    }

    /** A read of a post reads the terms of the writes since the previous read only, not every write waiting for its flush. */
    @Test
    void aReadOfAHotPostCostsTheWritesSinceThePreviousRead() throws Exception {
        int likes = 500;
        StatsService stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA")
                .flushInterval(Duration.ofHours(1)).open();
        try (MerkleCrdt crdt = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ofHours(1))
                .rebroadcastInterval(Duration.ZERO).view(stats.view()).build()) {
            stats.attach(crdt);
            for (int i = 1; i <= likes; i++) {
                stats.like("hot", "u" + i);
                assertThat(stats.stats("hot").likes()).isEqualTo(i);
                assertThat(stats.stats("hot").likes()).isEqualTo(i); // no event since: the kept count
            }
            // every term read once (a pending write per read), where re-reading all would be 125,250
            assertThat(((DefaultStatsService) stats).pendingTermReads()).isBetween((long) likes, 2L * likes);
            crdt.flush().join();
            assertThat(stats.stats("hot").likes()).isEqualTo(likes);
            ((DefaultStatsService) stats).drainOutbox();
            assertThat(stats.stats("hot").likes()).isEqualTo(likes);
        } finally {
            stats.close();
        }
    }

    /**
     * A hot post under flushes every millisecond: the writer's own read after each acknowledged like is
     * exact, and a concurrent reader's counts never go back and stay between the likes acknowledged
     * before its read and those started by its end.
     */
    @RepeatedTest(3)
    void concurrentReadersOfAHotPostSeeExactAndMonotoneCounts() throws Exception {
        concurrentReads(KvStores.inMemory());
    }

    /** The same on the CRDT's RocksDB store with synced writes: commits of milliseconds. */
    @Test
    void concurrentReadersOfAHotPostSeeExactAndMonotoneCountsOnRocksDb() throws Exception {
        try (KvStore store = KvStores.rocksDb(dir.resolve("crdt"), true)) {
            concurrentReads(store);
        }
    }

    private void concurrentReads(KvStore store) throws Exception {
        int likes = 400;
        StatsService stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA")
                .flushInterval(Duration.ofMillis(2)).open();
        try (MerkleCrdt crdt = MerkleCrdt.builder(store).flushDelay(Duration.ofMillis(1))
                .rebroadcastInterval(Duration.ZERO).view(stats.view()).build()) {
            stats.attach(crdt);
            AtomicLong started = new AtomicLong();
            AtomicLong acked = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                long last = 0, reads = 0;
                while (!done.get() && reads < 10_000_000) {
                    long low = acked.get();
                    long n;
                    try {
                        n = stats.stats("hot").likes();
                    } catch (StatsException e) {
                        continue; // not known before the first like
                    }
                    long high = started.get();
                    assertThat(n).as("read %d", reads).isGreaterThanOrEqualTo(last).isBetween(low, high);
                    last = n;
                    reads++;
                }
                return reads;
            });
            for (int i = 1; i <= likes; i++) {
                started.incrementAndGet();
                stats.like("hot", "u" + i);
                acked.incrementAndGet();
                assertThat(stats.stats("hot").likes()).as("own read after like %d", i).isEqualTo(i);
            }
            done.set(true);
            assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
        } finally {
            stats.close();
        }
    }
}
