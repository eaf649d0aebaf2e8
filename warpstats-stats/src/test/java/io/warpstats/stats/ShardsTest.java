package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Shards}: the stable split of posts, the key parser, and the statistics over one engine per shard. */
class ShardsTest {

    @Test
    void theShardOfAPostIsStableAndEven() {
        Shards s = new Shards(16);
        // pinned: SHA-256("post-1")[0..8] mod 16 must never change, or stores and peers would disagree
        int pinned = s.shardOf("post-1");
        assertThat(new Shards(16).shardOf("post-1")).isEqualTo(pinned);
        int[] counts = new int[16];
        for (int i = 0; i < 16_000; i++) counts[s.shardOf("p" + i)]++;
        for (int c : counts) assertThat(c).as("about 1,000 posts per shard").isBetween(850, 1150);
        assertThat(Shards.ONE.shardOf("anything")).isZero();
    }

    @Test
    void everyStatisticsKeyOfAPostNamesItsPost() {
        assertThat(Shards.postOf(new SlotKey(true, Stat.VIEWS, "p1", "n", "i").key())).contains("p1");
        assertThat(Shards.postOf(new SlotKey(false, Stat.LIKES, "p1", "n", "i").key())).contains("p1");
        assertThat(Shards.postOf(StatsKeys.liker("p2", "u"))).contains("p2");
        assertThat(Shards.postOf(StatsKeys.likersPrefix("p2"))).contains("p2");
        assertThat(Shards.postOf(StatsKeys.retweeter("p3", "u"))).contains("p3");
        assertThat(Shards.postOf(StatsKeys.reply("p4", "r"))).contains("p4");
        assertThat(Shards.postOf(StatsKeys.activity("p5", "n"))).contains("p5");
        assertThat(Shards.postOf(StatsKeys.activity("p6"))).contains("p6");
        assertThat(Shards.postOf("/")).isEmpty();
        assertThat(Shards.postOf("/likers/")).isEmpty();
        assertThat(Shards.postOf("/other/p1")).isEmpty();
        assertThat(Shards.postOf("likers/p1/u")).isEmpty();
        assertThat(Shards.postOf(null)).isEmpty();
    }

    @Test
    void dagNamesAndLimits() {
        assertThat(Shards.ONE.dagName("", 0)).isEmpty();
        assertThat(Shards.ONE.dagName("net", 0)).isEqualTo("net");
        assertThat(new Shards(4).dagName("", 3)).isEqualTo("shard-3-of-4");
        assertThat(new Shards(4).dagName("net", 1)).isEqualTo("net.shard-1-of-4");
        assertThatThrownBy(() -> new Shards(4).dagName("", 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Shards(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Shards(Shards.MAX + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The statistics service over four engines: each engine holds exactly the keys of its shard's posts, and
     * every read (totals, likers, the migration marker) comes out as over one engine.
     */
    @Test
    void theServiceOverOneEnginePerShard(@TempDir Path dir) throws Exception {
        Shards shards = new Shards(4);
        List<KvStore> stores = new ArrayList<>();
        List<MerkleCrdt> engines = new ArrayList<>();
        try (StatsService stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA").open()) {
            for (int i = 0; i < 4; i++) {
                KvStore st = KvStores.rocksDb(Files.createDirectories(dir.resolve("crdt-" + i)));
                stores.add(st);
                engines.add(MerkleCrdt.builder(st).dagName(shards.dagName("", i)).flushDelay(Duration.ofMillis(5))
                        .rebroadcastInterval(Duration.ZERO).view(stats.view()).build());
            }
            MerkleCrdt routed = shards.route(engines, "");
            stats.attach(routed);
            for (int p = 0; p < 20; p++) {
                for (int u = 0; u <= p % 3; u++) stats.like("post" + p, "user" + u);
                stats.view("post" + p, null);
                stats.view("post" + p, "user0");
            }
            stats.unlike("post5", "user0");
            routed.flush().get();
            for (int p = 0; p < 20; p++) {
                PostStats s = stats.stats("post" + p);
                assertThat(s.source()).isEqualTo(Source.CRDT);
                assertThat(s.likes()).isEqualTo(p == 5 ? p % 3 : p % 3 + 1);
                assertThat(s.views()).isEqualTo(2);
            }
            assertThat(stats.likers("post2", null, 10).items()).containsExactly("user0", "user1", "user2");
            for (int i = 0; i < 4; i++) {
                int shard = i;
                List<String> keys = new ArrayList<>();
                engines.get(i).query("/", (k, v) -> keys.add(k));
                assertThat(keys).as("engine %d", i).isNotEmpty()
                        .allSatisfy(k -> assertThat(shards.shardOfKey(k)).isEqualTo(Optional.of(shard)));
            }
            assertThat(routed.heads()).hasSize(4);
            assertThat(routed.metrics().puts()).isEqualTo(engines.stream().mapToLong(e -> e.metrics().puts()).sum());
            assertThatThrownBy(() -> routed.put("/not-a-post-key", new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(routed::replication).isInstanceOf(UnsupportedOperationException.class);
            stats.detach();
        } finally {
            engines.forEach(MerkleCrdt::close);
            stores.forEach(KvStore::close);
        }
    }
}
