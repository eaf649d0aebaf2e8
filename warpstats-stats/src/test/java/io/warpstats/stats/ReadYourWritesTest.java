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
}
