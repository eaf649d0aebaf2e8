package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.MerkleCrdt;
import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group commit ({@link WriteQueue}, {@link Staging}): actions submitted concurrently, many in one synced
 * batch, keep the semantics of one-at-a-time writes (a second like of the same user is refused even when
 * both are in one group, an unlike sees the like staged before it), and everything acknowledged is in
 * the local database after a reopen. A full queue refuses at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GroupCommitTest {
    @TempDir Path dir;

    @Test
    void concurrentActionsKeepTheirSemanticsAndSurviveAReopen() throws Exception {
        StatsService stats = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA").open();
        KvStore store = KvStores.rocksDb(dir.resolve("crdt"));
        MerkleCrdt crdt = MerkleCrdt.builder(store).flushDelay(Duration.ofMillis(5)).rebroadcastInterval(Duration.ZERO)
                .view(stats.view()).build();
        stats.attach(crdt);
        ExecutorService threads = Executors.newFixedThreadPool(16);
        Map<Action, CompletableFuture<Void>> likes = new HashMap<>();
        List<CompletableFuture<Void>> views = new ArrayList<>();
        try {
            List<CompletableFuture<List<Map.Entry<Action, CompletableFuture<Void>>>>> submitters = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                submitters.add(CompletableFuture.supplyAsync(() -> {
                    List<Map.Entry<Action, CompletableFuture<Void>>> mine = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        int n = thread * 200 + i;
                        // 300 users on 4 posts: every (post, user) pair is liked by several threads at once
                        Action like = new Action.Like("g" + n % 4, "u" + n % 300);
                        mine.add(Map.entry(like, stats.submit(like)));
                        Action view = new Action.View("g" + n % 4, null);
                        mine.add(Map.entry(view, stats.submit(view)));
                    }
                    return mine;
                }, threads));
            }
            List<Map.Entry<Action, CompletableFuture<Void>>> all = new ArrayList<>();
            for (var s : submitters) all.addAll(s.get(60, TimeUnit.SECONDS));
            Map<Action, Integer> accepted = new HashMap<>();
            int refused = 0;
            for (var e : all) {
                try {
                    e.getValue().get(60, TimeUnit.SECONDS);
                    accepted.merge(e.getKey(), 1, Integer::sum);
                } catch (java.util.concurrent.ExecutionException x) {
                    assertThat(x.getCause()).isInstanceOf(StatsException.class);
                    assertThat(((StatsException) x.getCause()).problem()).isEqualTo(StatsException.Problem.ALREADY_DONE);
                    assertThat(e.getKey()).isInstanceOf(Action.Like.class);
                    refused++;
                }
            }
            Set<Action> distinctLikes = new HashSet<>();
            for (var e : all) if (e.getKey() instanceof Action.Like) distinctLikes.add(e.getKey());
            assertThat(distinctLikes).hasSize(300);
            for (Action like : distinctLikes) assertThat(accepted.get(like)).as("%s accepted once", like).isEqualTo(1);
            assertThat(refused).isEqualTo(3200 - 300);
            // unlike and like again in one burst: each sees the one staged before it
            CompletableFuture<Void> unlike = stats.submit(new Action.Unlike("g0", "u0"));
            CompletableFuture<Void> again = stats.submit(new Action.Like("g0", "u0"));
            CompletableFuture<Void> twice = stats.submit(new Action.Unlike("g0", "u4"));
            CompletableFuture<Void> notDone = stats.submit(new Action.Unlike("g0", "u4"));
            CompletableFuture.allOf(unlike, again, twice).get(30, TimeUnit.SECONDS);
            assertThat(notDone).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingCause().isInstanceOf(StatsException.class)
                    .extracting(c -> ((StatsException) c).problem()).isEqualTo(StatsException.Problem.NOT_DONE);
            for (int p = 0; p < 4; p++) {
                PostStats s = stats.stats("g" + p);
                assertThat(s.likes()).as("post g%d", p).isEqualTo(p == 0 ? 74 : 75);
                assertThat(s.views()).isEqualTo(800);
            }
        } finally {
            threads.shutdownNow();
            stats.detach();
            crdt.close();
            stats.close();
            store.close();
        }
        // everything acknowledged is in the local database: reopened without a CRDT, the local totals agree
        try (StatsService reopened = StatsService.builder().localDatabase(dir.resolve("local")).nodeId("nodeA").open()) {
            for (int p = 0; p < 4; p++) {
                PostStats s = reopened.stats("g" + p);
                assertThat(s.source()).isEqualTo(Source.LOCAL);
                assertThat(s.likes()).isEqualTo(p == 0 ? 74 : 75);
                assertThat(s.views()).isEqualTo(800);
            }
            assertThat(reopened.likedBy("u4", null, 10).items()).isEmpty();
            assertThat(reopened.likedBy("u0", null, 10).items()).extracting(LikedPost::postId).containsExactly("g0");
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAndEveryQueuedWriteCompletes() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WriteQueue queue = new WriteQueue(group -> {
            entered.countDown();
            try {
                assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            group.forEach(q -> q.done().complete(null));
        });
        try {
            CompletableFuture<Void> first = queue.submit(new Action.View("q", null));
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue(); // the writer holds the first, the queue is empty
            List<CompletableFuture<Void>> queued = new ArrayList<>();
            for (int i = 0; i < WriteQueue.MAX_QUEUED; i++) queued.add(queue.submit(new Action.View("q", null)));
            assertThat(queued).noneMatch(CompletableFuture::isDone);
            CompletableFuture<Void> refused = queue.submit(new Action.View("q", null));
            assertThat(refused).isCompletedExceptionally();
            assertThat(refused.handle((v, e) -> ((StatsException) e).problem()).join()).isEqualTo(StatsException.Problem.BUSY);
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            queue.close();
        }
        CompletableFuture<Void> late = queue.submit(new Action.View("q", null));
        assertThat(late.handle((v, e) -> ((StatsException) e).problem()).join()).isEqualTo(StatsException.Problem.STORAGE);
    }
}
