package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.crdt.MaterializedView;
import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mirror's two durable records on real RocksDB databases: a write while the CRDT is usable puts nothing in the
 * outbox and the drain moves the watermark over it; writes above the watermark go to the outbox when the CRDT fails
 * and when the service opens on what a crash left; the event log keeps every record above the watermark.
 */
@Timeout(120)
class CrdtMirrorTest {
    @TempDir Path dir;
    final HybridClockTest.ManualClock clock = new HybridClockTest.ManualClock(1_700_000_000_000L);
    KvStore crdtStore;
    MerkleCrdt crdt;
    DefaultStatsService stats;

    DefaultStatsService open(Path local, EventLogPolicy policy) {
        return (DefaultStatsService) StatsService.builder().localDatabase(local).nodeId("nodeA").clock(clock)
                .flushInterval(Duration.ofHours(1)).eventLog(policy).open(); // drains only when the test says so
    }

    MerkleCrdt attachNew(DefaultStatsService s, KvStore store) {
        MerkleCrdt c = MerkleCrdt.builder(store).flushDelay(Duration.ofHours(1)).rebroadcastInterval(Duration.ZERO)
                .view(s.view()).build();
        s.attach(c);
        return c;
    }

    static Map<String, Long> outbox(DefaultStatsService s) {
        Map<String, Long> m = new TreeMap<>();
        s.localDb().scan(LocalKeys.OUTBOX, null, (k, v) -> m.put(k.substring(LocalKeys.OUTBOX.length()), Bytes.u64(v)) == null);
        return m;
    }

    static long mirrored(DefaultStatsService s) {
        return s.localDb().getLong(LocalKeys.MIRRORED);
    }

    static long seq(DefaultStatsService s) {
        return s.localDb().getLong(LocalKeys.SEQ);
    }

    @AfterEach
    void close() {
        if (stats != null) stats.close();
        if (crdt != null) crdt.close();
    }

    @Test
    void aWriteWithTheCrdtUsableTakesNoOutboxEntryAndTheDrainMovesTheWatermark() {
        stats = open(dir.resolve("local"), EventLogPolicy.defaults());
        crdt = attachNew(stats, KvStores.inMemory());
        for (int u = 0; u < 10; u++) stats.like("p1", "u" + u);
        stats.view("p1", null);

        assertThat(outbox(stats)).isEmpty();
        assertThat(mirrored(stats)).isZero();
        assertThat(seq(stats)).isEqualTo(11);
        assertThat(stats.outboxSize()).as("writes above the watermark").isEqualTo(11);
        assertThat(stats.stats("p1").likes()).isEqualTo(10);

        stats.drainOutbox();
        assertThat(mirrored(stats)).isEqualTo(11);
        assertThat(stats.outboxSize()).isZero();
        assertThat(crdt.get(StatsKeys.liker("p1", "u9"))).isPresent();
    }

    @Test
    void writesAboveTheWatermarkGoToTheOutboxWhenTheCrdtFailsAndReachTheNextCrdt() {
        stats = open(dir.resolve("local"), EventLogPolicy.defaults());
        crdtStore = KvStores.rocksDb(dir.resolve("crdt"));
        crdt = attachNew(stats, crdtStore);
        stats.like("p1", "u0");
        stats.drainOutbox(); // u0 is in the CRDT: below the watermark
        stats.like("p1", "u1");
        stats.like("p2", "u1");
        stats.view("p2", null);
        assertThat(outbox(stats)).isEmpty();

        crdt.close(); // stopped under our feet: the next write's check of the replicated set fails
        crdt = null;
        stats.like("p1", "u2");

        assertThat(mirrored(stats)).isEqualTo(seq(stats)).isEqualTo(5);
        String slot = new SlotKey(true, Stat.VIEWS, "p2", "nodeA", stats.incarnation()).key();
        assertThat(outbox(stats)).containsOnlyKeys(StatsKeys.liker("p1", "u1"), StatsKeys.liker("p2", "u1"), slot,
                StatsKeys.liker("p1", "u2"), StatsKeys.activity("p1", "nodeA"), StatsKeys.activity("p2", "nodeA"));
        assertThat(outbox(stats)).containsEntry(StatsKeys.activity("p1", "nodeA"), 5L).containsEntry(slot, 4L);

        crdt = attachNew(stats, crdtStore); // the CRDT comes back (same store)
        stats.drainOutbox();
        assertThat(outbox(stats)).isEmpty();
        assertThat(stats.outboxSize()).isZero();
        for (String u : new String[] {"u0", "u1", "u2"}) {
            assertThat(crdt.get(StatsKeys.liker("p1", u))).as(u).isPresent();
        }
        assertThat(crdt.get(slot).map(Bytes::u64)).contains(1L);
        assertThat(stats.stats("p1")).extracting("likes", "source").containsExactly(3L, Source.CRDT);
        assertThat(stats.stats("p2")).extracting("likes", "views").containsExactly(1L, 1L);
    }

    @Test
    void theServiceOpeningOnWhatACrashLeftPutsTheWritesAboveTheWatermarkIntoTheNextCrdt() {
        stats = open(dir.resolve("local"), EventLogPolicy.defaults());
        crdt = attachNew(stats, KvStores.inMemory()); // lost in the crash with everything it had not flushed
        for (int u = 0; u < 20; u++) stats.like("p" + u % 3, "u" + u);
        stats.drainOutbox();
        for (int u = 20; u < 50; u++) stats.like("p" + u % 3, "u" + u);
        stats.unlike("p0", "u0");
        stats.view("p1", "u1");
        Path image = dir.resolve("crashed");
        stats.localDb().checkpoint(image); // the disk at a SIGKILL: 32 acknowledged writes above the watermark
        assertThat(seq(stats) - mirrored(stats)).isEqualTo(32);

        try (DefaultStatsService restarted = open(image, EventLogPolicy.defaults())) {
            assertThat(mirrored(restarted)).isEqualTo(seq(restarted)).isEqualTo(52);
            assertThat(outbox(restarted)).hasSize(30 + 1 + 1 + 3); // likes, the unlike, the view's slot, activities
            try (MerkleCrdt fresh = attachNew(restarted, KvStores.inMemory())) {
                restarted.drainOutbox();
                assertThat(outbox(restarted)).isEmpty();
                for (int u = 20; u < 50; u++) {
                    assertThat(fresh.get(StatsKeys.liker("p" + u % 3, "u" + u))).as("u%d", u).isPresent();
                }
                assertThat(fresh.get(StatsKeys.liker("p0", "u0"))).isEmpty();
                assertThat(restarted.stats("p1").views()).isEqualTo(1);
                restarted.detach();
            }
        }
    }

    @Test
    void theEventLogKeepsEveryRecordAboveTheWatermark() {
        stats = open(dir.resolve("local"), new EventLogPolicy(Duration.ofDays(1), 1, Duration.ofDays(1)));
        crdt = attachNew(stats, KvStores.inMemory());
        for (int u = 0; u < 5; u++) stats.like("p1", "u" + u);
        assertThat(stats.eventLog().runOnce()).as("all above the watermark").isZero();
        assertThat(stats.eventLog().records()).isEqualTo(5);

        stats.drainOutbox();
        assertThat(stats.eventLog().runOnce()).isEqualTo(4);
        assertThat(stats.eventLog().records()).isEqualTo(1);
    }

    @Test
    void aRegisterWaitsForItsDelayAndOnePutCarriesEveryActionOfIt() {
        stats = (DefaultStatsService) StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA").clock(clock)
                .flushInterval(Duration.ofHours(1)).registerDelay(Duration.ofMinutes(1)).open();
        int[] activityChanges = {0};
        crdt = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ofHours(1)).rebroadcastInterval(Duration.ZERO)
                .view(stats.view())
                .view(MaterializedView.of("/test/activity/", "/activity/", (k, o, n, rows) -> activityChanges[0]++))
                .build();
        stats.attach(crdt);
        stats.like("p1", "u0");
        stats.like("p1", "u1");
        stats.like("p2", "u0");
        clock.millis.addAndGet(5);
        stats.view("p1", null);

        String slot = new SlotKey(true, Stat.VIEWS, "p1", "nodeA", stats.incarnation()).key();
        stats.drainOutboxOnTime();
        assertThat(crdt.get(StatsKeys.liker("p1", "u1"))).as("set members are not delayed").isPresent();
        assertThat(crdt.get(StatsKeys.activity("p1", "nodeA"))).isEmpty();
        assertThat(crdt.get(slot)).isEmpty();
        assertThat(mirrored(stats)).as("below the first write whose register waits").isZero();
        assertThat(stats.outboxSize()).isEqualTo(4);
        assertThat(stats.stats("p1")).as("this node's reads count them at once")
                .extracting("views", "lastActivity").containsExactly(1L, java.time.Instant.ofEpochMilli(clock.millis()));

        Path image = dir.resolve("crashed");
        stats.localDb().checkpoint(image); // a SIGKILL now: the waiting registers' writes are above the watermark
        try (DefaultStatsService restarted = open(image, EventLogPolicy.defaults())) {
            assertThat(outbox(restarted)).containsEntry(StatsKeys.activity("p1", "nodeA"), 4L)
                    .containsEntry(StatsKeys.activity("p2", "nodeA"), 3L).containsEntry(slot, 4L);
        }

        stats.drainOutbox();
        assertThat(mirrored(stats)).isEqualTo(4);
        assertThat(crdt.get(StatsKeys.activity("p1", "nodeA")).map(v -> Hlc.decode(v, "nodeA").wallMillis()))
                .contains(clock.millis());
        assertThat(crdt.get(slot).map(Bytes::u64)).contains(1L);
        assertThat(activityChanges[0]).as("one put per register for four actions").isEqualTo(2);
    }

    @Test
    void aCloseCarriesTheWaitingRegistersIntoTheCrdt() {
        stats = (DefaultStatsService) StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA").clock(clock)
                .flushInterval(Duration.ofHours(1)).registerDelay(Duration.ofMinutes(1)).open();
        crdt = attachNew(stats, KvStores.inMemory());
        stats.like("p1", "u0");
        stats.view("p1", null);
        String slot = new SlotKey(true, Stat.VIEWS, "p1", "nodeA", stats.incarnation()).key();
        stats.close();
        assertThat(crdt.get(StatsKeys.activity("p1", "nodeA"))).isPresent();
        assertThat(crdt.get(slot).map(Bytes::u64)).contains(1L);
        stats = null;
    }

    @Test
    void atMostMaxWaitingRegistersWaitAndTheOldestArePutFirst() {
        stats = (DefaultStatsService) StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA").clock(clock)
                .flushInterval(Duration.ofHours(1)).registerDelay(Duration.ofMinutes(1)).open();
        crdt = attachNew(stats, KvStores.inMemory());
        int posts = WaitingRegisters.MAX_WAITING / 2 + 100; // two registers each: a view slot and an activity time
        for (int from = 0; from < posts; from += 4096) {
            java.util.List<java.util.concurrent.CompletableFuture<Void>> batch = new java.util.ArrayList<>();
            for (int p = from; p < Math.min(posts, from + 4096); p++) batch.add(stats.submit(new Action.View("p" + p, null)));
            batch.forEach(java.util.concurrent.CompletableFuture::join);
        }
        String oldest = new SlotKey(true, Stat.VIEWS, "p0", "nodeA", stats.incarnation()).key();
        String newest = new SlotKey(true, Stat.VIEWS, "p" + (posts - 1), "nodeA", stats.incarnation()).key();
        assertThat(crdt.get(oldest)).as("put before its delay: too many waited").isPresent();
        assertThat(crdt.get(newest)).isEmpty();
        assertThat(stats.stats("p" + (posts - 1)).views()).isEqualTo(1);
    }

    @Test
    void theRegisterDelayIsBounded() {
        var builder = StatsService.builder();
        assertThatThrownBy(() -> builder.registerDelay(Duration.ofMinutes(2))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> builder.registerDelay(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        builder.registerDelay(Duration.ZERO);
    }
}
