package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Duration;
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

    @Test
    void ownReadsOfAHotPostAreExactWhileOthersReadItAndItsFlushesRun() throws Exception {
        StatsService stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA")
                .flushInterval(Duration.ofMillis(2)).open();
        try (MerkleCrdt crdt = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ofMillis(1))
                .rebroadcastInterval(Duration.ZERO).view(stats.view()).build()) {
            stats.attach(crdt);
            int likes = 400;
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong outOfRange = new java.util.concurrent.atomic.AtomicLong();
            Thread reader = new Thread(() -> { // reads the post while its flushes commit (they wait for each other)
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!done.get() && System.nanoTime() < end) {
                    try {
                        long n = stats.stats("hot").likes();
                        if (n < 0 || n > likes) outOfRange.incrementAndGet();
                    } catch (StatsException e) {
                        // unknown before the first like
                    }
                    reads.incrementAndGet();
                }
            });
            reader.start();
            try {
                for (int i = 0; i < likes; i++) {
                    stats.like("hot", "u" + i);
                    assertThat(stats.stats("hot").likes()).as("after like %d", i).isEqualTo(i + 1);
                }
            } finally {
                done.set(true);
                reader.join(Duration.ofSeconds(60).toMillis());
            }
            assertThat(reads.get()).isPositive();
            assertThat(outOfRange.get()).isZero();
            crdt.flush().join();
            ((DefaultStatsService) stats).drainOutbox();
            assertThat(stats.stats("hot").likes()).isEqualTo(likes);
        } finally {
            stats.close();
        }
    }
}
