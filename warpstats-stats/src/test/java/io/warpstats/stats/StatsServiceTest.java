package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatsServiceTest {
    @TempDir Path dir;
    KvStore crdtStore;
    DefaultStatsService stats;
    MerkleCrdt crdt;
    MerkleCrdt remote; // another node's replica, in memory; its blocks reach crdt through onHead
    final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return Instant.ofEpochMilli(now.incrementAndGet()); }
    };

    @BeforeEach
    void open() {
        crdtStore = KvStores.rocksDb(dir.resolve("crdt"));
        stats = openStats();
        crdt = newCrdt();
        stats.attach(crdt);
    }

    DefaultStatsService openStats() {
        return (DefaultStatsService) StatsService.builder().localDatabase(dir.resolve("local"))
                .nodeId("nodeA").clock(clock).flushInterval(java.time.Duration.ofHours(1)).open();
    }

    MerkleCrdt newCrdt() {
        MerkleCrdt c = MerkleCrdt.builder(crdtStore).flushDelay(java.time.Duration.ofMillis(5))
                .rebroadcastInterval(java.time.Duration.ZERO)
                .fetcher(cid -> java.util.concurrent.CompletableFuture.completedFuture(remote.replication().block(cid).orElseThrow()))
                .view(stats.view())
                .build();
        return c;
    }

    /** Writes {@code values} on the remote replica (null: delete) and merges its head into {@code crdt}. */
    void merge(Map<String, byte[]> values) {
        if (remote == null) {
            remote = MerkleCrdt.builder(KvStores.inMemory()).flushDelay(java.time.Duration.ZERO)
                    .rebroadcastInterval(java.time.Duration.ZERO).build();
        }
        values.forEach((k, v) -> {
            if (v == null) {
                remote.delete(k);
            } else {
                remote.put(k, v);
            }
        });
        remote.flush().join();
        crdt.replication().onHead(remote.heads().get(0).cid());
        crdt.replication().whenIdle().join();
    }

    @AfterEach
    void close() {
        stats.close();
        crdt.close();
        if (remote != null) {
            remote.close();
        }
        crdtStore.close();
    }

    @Test
    void countsEveryActionAndRefusesDoubles() {
        stats.like("p1", "u1");
        stats.like("p1", "u2");
        stats.retweet("p1", "u1");
        stats.reply("p1", "u3", "r1");
        stats.view("p1", null);
        stats.view("p1", "u1");
        assertThat(stats.stats("p1")).extracting("likes", "retweets", "replies", "views", "source")
                .containsExactly(2L, 1L, 1L, 2L, Source.CRDT);
        assertThatThrownBy(() -> stats.like("p1", "u1")).isInstanceOf(StatsException.class)
                .hasMessage("user u1 already liked post p1")
                .extracting("problem").isEqualTo(StatsException.Problem.ALREADY_DONE);
        assertThatThrownBy(() -> stats.retweet("p1", "u1")).extracting("problem").isEqualTo(StatsException.Problem.ALREADY_DONE);
        assertThatThrownBy(() -> stats.unlike("p1", "u9")).extracting("problem").isEqualTo(StatsException.Problem.NOT_DONE);
        assertThatThrownBy(() -> stats.reply("p1", "u3", "r1")).extracting("problem").isEqualTo(StatsException.Problem.ALREADY_DONE);
        assertThatThrownBy(() -> stats.deleteReply("p1", "r9")).extracting("problem").isEqualTo(StatsException.Problem.NOT_DONE);
        assertThatThrownBy(() -> stats.stats("nope")).extracting("problem").isEqualTo(StatsException.Problem.UNKNOWN_POST);
        assertThatThrownBy(() -> stats.like("a/b", "u1")).isInstanceOf(InvalidIdException.class);
        stats.unlike("p1", "u1");
        stats.unretweet("p1", "u1");
        stats.deleteReply("p1", "r1");
        assertThat(stats.stats("p1")).extracting("likes", "retweets", "replies", "views").containsExactly(1L, 0L, 0L, 2L);
        stats.like("p1", "u1"); // like again after unlike
        assertThat(stats.stats("p1").likes()).isEqualTo(2);
        assertThat(stats.stats("p1").lastActivity()).isNotNull();
    }

    @Test
    void sumsEveryNodesViewSlotsWithoutCountingOwnSlotTwice() {
        stats.view("p1", null);
        stats.drainOutbox(); // own slot flushed into the CRDT: now in the aggregate as well
        Map<String, byte[]> remote = new HashMap<>();
        for (int n = 0; n < 50; n++) {
            remote.put(new SlotKey(true, Stat.VIEWS, "p1", "node" + n, "i1").key(), Bytes.u64(10));
        }
        merge(remote); // one batch with 50 changes of the same aggregate
        assertThat(stats.stats("p1").views()).isEqualTo(1 + 50 * 10);
        merge(Map.of(new SlotKey(true, Stat.VIEWS, "p1", "node0", "i1").key(), Bytes.u64(20)));
        assertThat(stats.stats("p1").views()).isEqualTo(1 + 50 * 10 + 10);
        stats.view("p1", "u2"); // not flushed yet, still counted
        assertThat(stats.stats("p1").views()).isEqualTo(2 + 50 * 10 + 10);
        assertThat(stats.busiest(1)).extracting(PostStats::postId).containsExactly("p1");
    }

    @Test
    void likesAreTheDistinctUsersOfTheReplicatedSet() {
        stats.like("p1", "u1");
        assertThat(stats.stats("p1").likes()).as("read your write before the flush").isEqualTo(1);
        stats.drainOutbox();
        Map<String, byte[]> remote = new HashMap<>();
        for (int n = 0; n < 50; n++) remote.put(StatsKeys.liker("p1", "r" + n), Bytes.u64(5));
        remote.put(StatsKeys.liker("p1", "u1"), Bytes.u64(7)); // the same user through another node: one member
        merge(remote);
        assertThat(stats.stats("p1").likes()).isEqualTo(51);
        assertThat(stats.likers("p1", null, 100).items()).hasSize(51);
        assertThatThrownBy(() -> stats.like("p1", "r3")).as("liked elsewhere, seen here").extracting("problem")
                .isEqualTo(StatsException.Problem.ALREADY_DONE);
        stats.unlike("p1", "r3"); // a like taken by another node is withdrawn here
        assertThat(stats.stats("p1").likes()).isEqualTo(50);
        stats.drainOutbox();
        assertThat(stats.stats("p1").likes()).isEqualTo(50);
        assertThat(crdt.get(StatsKeys.liker("p1", "r3"))).isEmpty();
        merge(Map.of(new SlotKey(true, Stat.LIKES, "p1", "legacy", "i").key(), Bytes.u64(1000)));
        assertThat(stats.stats("p1").likes()).as("legacy like slots are not counted").isEqualTo(50);
        stats.reply("p1", "u1", "rep1");
        merge(Map.of(StatsKeys.reply("p1", "rep2"), Bytes.u64(1)));
        assertThat(stats.stats("p1").replies()).isEqualTo(2);
        stats.deleteReply("p1", "rep2"); // a reply taken by another node
        stats.drainOutbox();
        assertThat(stats.stats("p1").replies()).isEqualTo(1);
    }

    @Test
    void lastActivityIsTheNewestClockWhateverTheBranchLength() {
        for (int i = 0; i < 20; i++) {
            stats.view("p1", null);
            stats.drainOutbox(); // a long local branch: 20 blocks, high priority
        }
        long local = stats.stats("p1").lastActivity().toEpochMilli();
        // another node, clock 5 s ahead, one block (priority 1): its newer timestamp wins
        merge(Map.of(StatsKeys.activity("p1", "nodeB"), new Hlc(local + 5_000, 0, "nodeB").encode()));
        assertThat(stats.stats("p1").lastActivity().toEpochMilli()).isEqualTo(local + 5_000);
        // an older timestamp merged later never moves it back
        merge(Map.of(StatsKeys.activity("p1", "nodeC"), new Hlc(local - 1_000, 0, "nodeC").encode()));
        assertThat(stats.stats("p1").lastActivity().toEpochMilli()).isEqualTo(local + 5_000);
        // this node's next action comes after what it has seen, though its own clock lags by 5 s
        stats.view("p1", null);
        stats.drainOutbox();
        byte[] mine = crdt.get(StatsKeys.activity("p1", "nodeA")).orElseThrow();
        assertThat(Hlc.decode(mine, "nodeA")).isGreaterThan(new Hlc(local + 5_000, 0, "nodeB"));
        // the legacy register and a malformed value are read safely
        merge(Map.of(StatsKeys.activity("p2"), Bytes.u64(local), StatsKeys.activity("p3", "nodeB"), new byte[] {1, 2}));
        assertThat(stats.stats("p2").lastActivity().toEpochMilli()).isEqualTo(local);
        assertThatThrownBy(() -> stats.stats("p3")).extracting("problem").isEqualTo(StatsException.Problem.UNKNOWN_POST);
    }

    @Test
    void writesSucceedWithoutTheCrdtAndTheOutboxReplaysExactTotals() {
        stats.like("p1", "u1");
        stats.drainOutbox();
        crdt.close(); // stopped under our feet
        stats.like("p1", "u2");
        stats.like("p1", "u3");
        stats.unlike("p1", "u1");
        PostStats local = stats.stats("p1");
        assertThat(local.source()).isEqualTo(Source.LOCAL);
        assertThat(local.likes()).isEqualTo(2);
        assertThat(stats.outboxSize()).isGreaterThan(0);

        crdt = newCrdt(); // the CRDT comes back (same store)
        stats.attach(crdt);
        stats.drainOutbox();
        assertThat(stats.outboxSize()).isZero();
        assertThat(crdt.get("/likers/p1/u2")).isPresent();
        assertThat(crdt.get("/likers/p1/u3")).isPresent();
        assertThat(crdt.get("/likers/p1/u1")).isEmpty();
        assertThat(stats.stats("p1")).extracting("likes", "source").containsExactly(2L, Source.CRDT);
        assertThat(stats.likers("p1", null, 10).items()).containsExactly("u2", "u3");
        stats.drainOutbox(); // replaying again changes nothing
        assertThat(stats.stats("p1").likes()).isEqualTo(2);
    }

    @Test
    void aCrashBetweenLocalWriteAndCrdtWriteLosesNothing() {
        stats.detach(); // the local write happens, the CRDT write does not
        stats.like("p1", "u1");
        stats.view("p1", null);
        stats.close();
        crdt.close();
        stats = openStats(); // restart
        crdt = newCrdt();
        stats.attach(crdt);
        stats.drainOutbox();
        assertThat(crdt.get("/likers/p1/u1")).isPresent();
        assertThat(crdt.get("/incr/views/p1/nodeA/" + stats.incarnation()).map(Bytes::u64)).contains(1L);
        assertThat(stats.stats("p1")).extracting("likes", "views").containsExactly(1L, 1L);
    }

    @Test
    void countsFromBeforeTheCrdtAreImportedOnce() {
        stats.close();
        crdt.close();
        crdtStore.close();
        crdtStore = KvStores.rocksDb(dir.resolve("crdt-new")); // a CRDT store that never saw this node
        stats = openStats();
        String incarnation = stats.incarnation();
        for (int i = 0; i < 5; i++) {
            stats.like("p" + i, "u1");
        }
        crdt = newCrdt();
        stats.attach(crdt);
        stats.drainOutbox();
        for (int i = 0; i < 5; i++) {
            assertThat(crdt.get("/likers/p" + i + "/u1")).isPresent();
            assertThat(crdt.get(StatsKeys.activity("p" + i, "nodeA"))).isPresent();
            assertThat(stats.stats("p" + i).likes()).isEqualTo(1);
        }
        var heads = crdt.heads();
        stats.detach();
        stats.attach(crdt); // marker present: nothing imported again, no new block
        stats.drainOutbox();
        assertThat(crdt.heads()).isEqualTo(heads);
        assertThat(stats.stats("p0").likes()).isEqualTo(1);
    }

    @Test
    void incarnationSurvivesRestartsAndChangesWithANewDatabase() {
        String first = stats.incarnation();
        stats.close();
        stats = openStats();
        assertThat(stats.incarnation()).isEqualTo(first);
        var other = StatsService.builder().localDatabase(dir.resolve("wiped")).nodeId("nodeA").open();
        assertThat(other.incarnation()).isNotEqualTo(first).matches("[0-9a-f]{16}");
        other.close();
    }

    @Test
    void likedByIsNewestFirstAndPaginated() {
        for (int i = 0; i < 7; i++) {
            stats.like("p" + i, "u1");
        }
        stats.unlike("p3", "u1");
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Page<LikedPost> page = stats.likedBy("u1", cursor, 2);
            page.items().forEach(p -> seen.add(p.postId()));
            cursor = page.nextCursor();
            pages++;
        } while (cursor != null && pages < 10);
        assertThat(seen).containsExactly("p6", "p5", "p4", "p2", "p1", "p0");
        assertThat(stats.likedBy("nobody", null, 10).items()).isEmpty();
        assertThatThrownBy(() -> stats.likedBy("u1", "garbage!", 10)).extracting("problem")
                .isEqualTo(StatsException.Problem.INVALID_ARGUMENT);
        assertThatThrownBy(() -> stats.likedBy("u1", null, 1001)).hasMessage("limit must be between 1 and 1000, not 1001");
    }

    @Test
    void likersPaginateFromTheCrdtAndFromTheLocalDatabase() {
        for (int i = 0; i < 5; i++) {
            stats.like("p1", "u" + i);
        }
        merge(Map.of("/likers/p1/remote", Bytes.u64(1), "/likers/p1/u0", Bytes.u64(2))); // u0 also liked elsewhere
        Page<String> first = stats.likers("p1", null, 3);
        assertThat(first.items()).containsExactly("remote", "u0", "u1");
        assertThat(first.source()).isEqualTo(Source.CRDT);
        assertThat(stats.likers("p1", first.nextCursor(), 3).items()).containsExactly("u2", "u3", "u4");
        stats.detach();
        Page<String> local = stats.likers("p1", null, 4);
        assertThat(local.items()).containsExactly("u0", "u1", "u2", "u3");
        assertThat(local.source()).isEqualTo(Source.LOCAL);
        assertThat(stats.likers("p1", local.nextCursor(), 4).items()).containsExactly("u4");
        assertThat(stats.likers("p1", local.nextCursor(), 4).nextCursor()).isNull();
    }
}
