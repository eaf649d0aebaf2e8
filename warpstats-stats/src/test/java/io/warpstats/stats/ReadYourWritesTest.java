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
    void aReadOfAHotPostReadsOnlyWhatChangedSinceTheLastRead() throws Exception {
        DefaultStatsService stats = (DefaultStatsService) StatsService.builder().localDatabase(dir.resolve("local"))
                .nodeId("nodeA").flushInterval(Duration.ofHours(1)).open();
        try (MerkleCrdt crdt = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ofHours(1))
                .rebroadcastInterval(Duration.ZERO).view(stats.view()).build()) {
            stats.attach(crdt);
            int likes = 500;
            for (int i = 0; i < likes; i++) {
                stats.like("hot", "u" + i);
                assertThat(stats.stats("hot").likes()).as("after like %d", i).isEqualTo(i + 1);
            }
            // every like is still pending in the engine: each read added the one key written since the read before
            assertThat(stats.pendingTermReads()).isEqualTo(likes);
            for (int i = 0; i < 20; i++) assertThat(stats.stats("hot").likes()).isEqualTo(likes);
            assertThat(stats.pendingTermReads()).as("reads without writes in between read no term").isEqualTo(likes);

            crdt.flush().join(); // durable: every term changes to 0, and the row holds them
            assertThat(stats.stats("hot").likes()).isEqualTo(likes);
            assertThat(stats.pendingTermReads()).isEqualTo(2L * likes);
            stats.unlike("hot", "u7");
            assertThat(stats.stats("hot").likes()).isEqualTo(likes - 1);
            assertThat(stats.pendingTermReads()).isEqualTo(2L * likes + 1);
            stats.drainOutbox(); // flushes and forgets the keys
            assertThat(stats.stats("hot").likes()).isEqualTo(likes - 1);
        } finally {
            stats.close();
        }
    }
}
