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
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event log's retention on a real RocksDB local database: records beyond the age or the count are removed,
 * oldest first and in bounded chunks; every other row (totals, who did what, activity) is left as it was, and
 * reads answer as before.
 */
@Timeout(120)
class EventLogRetentionTest {
    static final long DAY = Duration.ofDays(1).toMillis();
    @TempDir Path dir;
    final HybridClockTest.ManualClock clock = new HybridClockTest.ManualClock(1_000L * DAY);

    DefaultStatsService open(EventLogPolicy policy) {
        return (DefaultStatsService) StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA").clock(clock)
                .eventLog(policy).open();
    }

    /** Every row of the (closed) local database. */
    Map<String, String> rows() {
        Map<String, String> m = new TreeMap<>();
        try (LocalDb db = LocalDb.open(dir.resolve("local"))) {
            db.scan("", null, (k, v) -> m.put(k, java.util.HexFormat.of().formatHex(v)) == null);
        }
        return m;
    }

    static Map<String, String> events(Map<String, String> rows) {
        Map<String, String> m = new TreeMap<>(rows);
        m.keySet().removeIf(k -> !k.startsWith(LocalKeys.EVENTS));
        return m;
    }

    static Map<String, String> state(Map<String, String> rows) {
        Map<String, String> m = new TreeMap<>(rows);
        m.keySet().removeIf(k -> k.startsWith(LocalKeys.EVENTS));
        return m;
    }

    /** 60 likes, 20 unlikes, 40 views and 10 replies of users u0..u59 on posts p0..p4: 130 records. */
    static void act(StatsService s, String tag) {
        for (int u = 0; u < 60; u++) s.like("p" + u % 5, tag + u);
        for (int u = 0; u < 20; u++) s.unlike("p" + u % 5, tag + u);
        for (int i = 0; i < 40; i++) s.view("p" + i % 5, null);
        for (int r = 0; r < 10; r++) s.reply("p" + r % 5, tag + r, tag + "r" + r);
    }

    record Reads(List<PostStats> stats, List<String> likers, List<String> likedBy) {
        static Reads of(StatsService s) {
            List<PostStats> st = new ArrayList<>();
            for (int p = 0; p < 5; p++) st.add(s.stats("p" + p));
            List<String> likedBy = new ArrayList<>();
            for (LikedPost lp : s.likedBy("a30", null, 100).items()) likedBy.add(lp.toString());
            return new Reads(st, s.likers("p0", null, 1000).items(), likedBy);
        }
    }

    @Test
    void beyondTheCountTheOldestRecordsGoInChunksAndStateStays() {
        Reads before;
        try (DefaultStatsService s = open(EventLogPolicy.defaults())) {
            act(s, "a");
            before = Reads.of(s);
        }
        Map<String, String> all = rows();
        assertThat(events(all)).hasSize(130);
        EventLogPolicy keep50 = new EventLogPolicy(Duration.ofDays(7), 50, EventLogPolicy.DEFAULT_INTERVAL);
        try (LocalDb db = LocalDb.open(dir.resolve("local"))) {
            EventLogRetention r = EventLogRetention.manual(db, clock, keep50, 7, 4);
            assertThat(r.records()).isEqualTo(130);
            assertThat(r.runOnce()).as("one run: at most 4 chunks of 7").isEqualTo(28);
            assertThat(r.records()).isEqualTo(102);
            long rest = 0;
            for (int run = 0; run < 10 && r.records() > 50; run++) rest += r.runOnce();
            assertThat(rest).isEqualTo(52);
            assertThat(r.runOnce()).as("nothing beyond the policy").isZero();
            assertThat(r.records()).isEqualTo(50);
        }
        Map<String, String> after = rows();
        List<String> newest = new ArrayList<>(events(all).keySet()).subList(80, 130);
        assertThat(events(after).keySet()).containsExactlyElementsOf(newest);
        assertThat(state(after)).as("totals, who did what, activity, sequence: untouched").isEqualTo(state(all));
        try (DefaultStatsService s = open(EventLogPolicy.defaults())) {
            assertThat(Reads.of(s)).isEqualTo(before);
            s.view("p0", null); // the log goes on from the sequence number
        }
        assertThat(events(rows())).hasSize(51);
    }

    @Test
    void recordsOlderThanTheAgeGoAndTheYoungerStay() {
        EventLogPolicy week = new EventLogPolicy(Duration.ofDays(7), 1_000_000, EventLogPolicy.DEFAULT_INTERVAL);
        try (DefaultStatsService s = open(EventLogPolicy.defaults())) {
            act(s, "a");
            clock.millis.addAndGet(5 * DAY);
            act(s, "b");
        }
        Map<String, String> all = rows();
        try (LocalDb db = LocalDb.open(dir.resolve("local"))) {
            EventLogRetention r = EventLogRetention.manual(db, clock, week, 1000, 10);
            assertThat(r.runOnce()).as("the oldest is 5 days old").isZero();
            clock.millis.addAndGet(2 * DAY + 1); // the first 130 are now 7 days and 1 ms old, the others 2 days
            assertThat(r.runOnce()).isEqualTo(130);
            assertThat(r.records()).isEqualTo(130);
        }
        Map<String, String> after = rows();
        assertThat(events(after).keySet()).containsExactlyElementsOf(new ArrayList<>(events(all).keySet()).subList(130, 260));
        assertThat(state(after)).isEqualTo(state(all));
    }

    /** The service applies its policy by itself, on its timer, while it is used through a CRDT. */
    @Test
    void theServiceAppliesItsPolicyInTheBackground() throws Exception {
        try (KvStore store = KvStores.rocksDb(dir.resolve("crdt"));
             DefaultStatsService s = open(new EventLogPolicy(Duration.ofDays(7), 25, Duration.ofMillis(20)));
             MerkleCrdt crdt = MerkleCrdt.builder(store).flushDelay(Duration.ofMillis(5)).rebroadcastInterval(Duration.ZERO).view(s.view()).build()) {
            s.attach(crdt);
            act(s, "a");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (s.eventLog().records() > 25 && System.nanoTime() < deadline) {
                Thread.sleep(10); // the retention runs on its own timer; a bounded poll of its result
            }
            assertThat(s.eventLog().records()).isEqualTo(25);
            s.drainOutbox();
            assertThat(s.stats("p0").likes()).isEqualTo(8); // 12 liked p0, 4 of them unliked
            assertThat(s.stats("p0").views()).isEqualTo(8);
            assertThat(s.stats("p0").replies()).isEqualTo(2);
            assertThat(s.likedBy("a30", null, 10).items()).extracting(LikedPost::postId).containsExactly("p0");
            s.detach();
        }
    }

    @Test
    void aPolicyOutOfItsBoundsIsRefused() {
        assertThatThrownBy(() -> new EventLogPolicy(Duration.ofSeconds(59), 10, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventLogPolicy(Duration.ofDays(3651), 10, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventLogPolicy(Duration.ofDays(1), 0, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventLogPolicy(Duration.ofDays(1), 1_000_000_001L, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventLogPolicy(Duration.ofDays(1), 10, Duration.ofMillis(9))).isInstanceOf(IllegalArgumentException.class);
    }
}
