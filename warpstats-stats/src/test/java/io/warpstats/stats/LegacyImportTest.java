package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StatsService#importTotals}: the import-mark rule, persistence across a restart, replication through the slots. */
class LegacyImportTest {
    @TempDir Path dir;
    KvStore crdtStore;
    DefaultStatsService stats;
    MerkleCrdt crdt;

    @BeforeEach
    void open() {
        crdtStore = KvStores.rocksDb(dir.resolve("crdt"));
        openStats();
    }

    void openStats() {
        stats = (DefaultStatsService) StatsService.builder().localDatabase(dir.resolve("local"))
                .nodeId("nodeA").flushInterval(Duration.ofHours(1)).open();
        crdt = MerkleCrdt.builder(crdtStore).flushDelay(Duration.ofMillis(5)).rebroadcastInterval(Duration.ZERO)
                .view(stats.view()).build();
        stats.attach(crdt);
    }

    void closeStats() {
        stats.close();
        crdt.close();
    }

    @AfterEach
    void close() {
        closeStats();
        crdtStore.close();
    }

    /** The set counts are exact once the flush of the new members is done (read-your-writes may lag during it). */
    PostStats read(String post) {
        stats.drainOutbox();
        return stats.stats(post);
    }

    static LegacyTotals t(String post, long likes, long retweets, long replies, long views) {
        return new LegacyTotals(post, likes, retweets, replies, views);
    }

    @Test
    void sameTotalsTwiceChangeNothingAndLargerOnesAddTheDifference() {
        stats.like("p1", "alice"); // a live like before the import is kept
        LegacyTotals.Outcome first = stats.importTotals(List.of(t("p1", 10, 2, 3, 100), t("p2", 1, 0, 0, 5)));
        assertThat(first).isEqualTo(new LegacyTotals.Outcome(2, 2, 11, 2, 3, 105));
        assertThat(read("p1")).extracting("likes", "retweets", "replies", "views").containsExactly(11L, 2L, 3L, 100L);

        LegacyTotals.Outcome again = stats.importTotals(List.of(t("p1", 10, 2, 3, 100), t("p2", 1, 0, 0, 5)));
        assertThat(again).isEqualTo(new LegacyTotals.Outcome(2, 0, 0, 0, 0, 0));
        assertThat(read("p1")).extracting("likes", "retweets", "replies", "views").containsExactly(11L, 2L, 3L, 100L);

        // a later export: p1 grew, p2 shrank (never lowered), p3 is new
        LegacyTotals.Outcome diff = stats.importTotals(List.of(t("p1", 15, 2, 3, 130), t("p2", 0, 0, 0, 4), t("p3", 0, 0, 1, 0)));
        assertThat(diff).isEqualTo(new LegacyTotals.Outcome(3, 2, 5, 0, 1, 30));
        assertThat(read("p1")).extracting("likes", "views").containsExactly(16L, 130L);
        assertThat(read("p2")).extracting("likes", "views").containsExactly(1L, 5L);
        assertThat(read("p3").replies()).isEqualTo(1);

        // the marks survive a restart: the first file again adds nothing
        closeStats();
        openStats();
        assertThat(stats.importTotals(List.of(t("p1", 10, 2, 3, 100), t("p2", 1, 0, 0, 5))).changed()).isZero();
        assertThat(read("p1")).extracting("likes", "retweets", "replies", "views").containsExactly(16L, 2L, 3L, 130L);
    }

    @Test
    void viewsGoToThisNodesSlotAndLikesBecomeLegacyMembersThroughTheOutbox() {
        stats.importTotals(List.of(t("p1", 7, 0, 2, 9)));
        assertThat(stats.outboxSize()).isEqualTo(7 + 2 + 1);
        stats.drainOutbox();
        assertThat(stats.outboxSize()).isZero();
        String views = new SlotKey(true, Stat.VIEWS, "p1", "nodeA", stats.incarnation()).key();
        assertThat(crdt.get(views).map(Bytes::u64)).contains(9L);
        for (int n = 1; n <= 7; n++) {
            assertThat(crdt.get(StatsKeys.liker("p1", "@legacy:" + n))).as("liker %d", n).isPresent();
        }
        assertThat(crdt.get(StatsKeys.liker("p1", "@legacy:8"))).isEmpty();
        assertThat(crdt.get(StatsKeys.reply("p1", "@legacy:2"))).isPresent();
        assertThat(read("p1")).extracting("likes", "replies", "views", "source").containsExactly(7L, 2L, 9L, Source.CRDT);
        assertThat(stats.likers("p1", null, 3).items()).containsExactly("@legacy:1", "@legacy:2", "@legacy:3");
        stats.unlike("p1", "@legacy:3"); // a legacy like is withdrawn like any other
        assertThat(read("p1").likes()).isEqualTo(6);
        assertThat(stats.importTotals(List.of(t("p1", 7, 0, 2, 9))).changed()).isZero(); // the mark, not the set, decides
        assertThat(read("p1").likes()).isEqualTo(6);
    }

    @Test
    void aCallAddsAtMostMaxNewMembersAndGrowingTotalsImportALargePostInSteps() {
        int over = LegacyTotals.MAX_NEW_MEMBERS + 1;
        assertThatThrownBy(() -> stats.importTotals(List.of(t("big", over, 0, 0, 5)))).extracting("problem")
                .isEqualTo(StatsException.Problem.INVALID_ARGUMENT);
        assertThatThrownBy(() -> stats.stats("big")).extracting("problem").isEqualTo(StatsException.Problem.UNKNOWN_POST);
        assertThat(stats.importTotals(List.of(t("big", LegacyTotals.MAX_NEW_MEMBERS, 0, 0, 5))).likes()).isEqualTo(LegacyTotals.MAX_NEW_MEMBERS);
        assertThat(stats.importTotals(List.of(t("big", over, 0, 0, 5))).likes()).isOne();
        stats.drainOutbox(); // the set count is exact once the flush of the new members is done
        assertThat(read("big").likes()).isEqualTo(over);
        assertThatThrownBy(() -> t("p", LegacyTotals.MAX_MEMBERS + 1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("likes of post p must be 0 to 10000000");
    }

    @Test
    void duplicatesCountWithTheirLargerTotalsAndBadInputIsRefusedBeforeAnyWrite() {
        LegacyTotals.Outcome o = stats.importTotals(List.of(t("p1", 5, 0, 0, 1), t("p1", 3, 0, 0, 8)));
        assertThat(o).isEqualTo(new LegacyTotals.Outcome(1, 1, 5, 0, 0, 8));
        assertThatThrownBy(() -> t("a/b", 1, 1, 1, 1)).isInstanceOf(InvalidIdException.class);
        assertThatThrownBy(() -> t("p", -1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("likes");
        assertThatThrownBy(() -> t("p", 0, 0, 0, LegacyTotals.MAX_TOTAL + 1)).isInstanceOf(IllegalArgumentException.class);
        List<LegacyTotals> many = new ArrayList<>();
        for (int i = 0; i <= LegacyTotals.MAX_BATCH; i++) {
            many.add(t("q" + i, 1, 0, 0, 0));
        }
        assertThatThrownBy(() -> stats.importTotals(many)).extracting("problem").isEqualTo(StatsException.Problem.INVALID_ARGUMENT);
        assertThatThrownBy(() -> stats.stats("q0")).extracting("problem").isEqualTo(StatsException.Problem.UNKNOWN_POST);
    }
}
