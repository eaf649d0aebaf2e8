package io.warpstats.crdt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.multiformats.Cid;
import io.warpstats.crdt.store.KvStores;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Latency structure of the walk (docs/crdt.md, "Remote blocks: the walk"): an announcement starts a fetch at
 * once (no timer), a finished fetch is committed at once even while other fetches wait (its
 * heads become visible and the next fetch's frontier), and a fetch started while another runs
 * stops at the running one's head instead of downloading its branch again. Events, not timing.
 */
class FetchFrontierTest {
    record Call(Cid head, Set<Cid> frontier, Consumer<byte[]> sink, CompletableFuture<Void> done) {}

    /** Records every branch fetch and leaves it open until the test completes it. */
    static final class Recorder implements BlockFetcher {
        final List<Call> calls = new ArrayList<>();

        @Override
        public CompletableFuture<byte[]> fetch(Cid cid) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException());
        }

        @Override
        public synchronized CompletableFuture<Void> fetchBranch(Cid head, Set<Cid> frontier, Consumer<byte[]> sink) {
            Call c = new Call(head, Set.copyOf(frontier), sink, new CompletableFuture<>());
            calls.add(c);
            return c.done;
        }

        synchronized Call call(int i) { return calls.get(i); }

        synchronized int size() { return calls.size(); }
    }

    static Cid write(MerkleCrdt src, String key) {
        src.put(key, key.getBytes(UTF_8));
        src.flush().join();
        return src.heads().get(0).cid();
    }

    @Test
    void aFinishedFetchIsCommittedAtOnceAndBoundsTheNextFetch() {
        Recorder rec = new Recorder();
        try (MerkleCrdt src = EngineTest.manual(KvStores.inMemory()).build();
             MerkleCrdt other = EngineTest.manual(KvStores.inMemory()).build();
             MerkleCrdt r = EngineTest.manual(KvStores.inMemory()).maxConcurrentFetches(1).fetcher(rec).build()) {
            Cid a = write(src, "/a");
            Cid b = write(src, "/b"); // links to a
            Cid x = write(other, "/x");
            Cid y = write(other, "/y");

            r.replication().onHead(b);
            assertThat(rec.size()).as("the announcement started a fetch without a timer").isEqualTo(1);
            r.replication().onHead(x);
            r.replication().onHead(y);
            assertThat(rec.size()).as("one fetch at a time").isEqualTo(1);

            Call first = rec.call(0);
            first.sink().accept(src.replication().block(b).orElseThrow());
            first.sink().accept(src.replication().block(a).orElseThrow());
            first.done().complete(null);

            // y still waits in the queue: the finished branch is nevertheless durable and visible
            assertThat(rec.size()).isEqualTo(2);
            assertThat(r.heads()).extracting(Head::cid).containsExactly(b);
            assertThat(r.get("/a")).isPresent();
            assertThat(rec.call(1).frontier()).as("the next fetch stops at the merged head").contains(b);
        }
    }

    @Test
    void aFetchStartedWhileAnotherRunsStopsAtItsHead() {
        Recorder rec = new Recorder();
        try (MerkleCrdt src = EngineTest.manual(KvStores.inMemory()).build();
             MerkleCrdt r = EngineTest.manual(KvStores.inMemory()).maxConcurrentFetches(4).fetcher(rec).build()) {
            Cid a = write(src, "/a");
            Cid b = write(src, "/b");
            Cid c = write(src, "/c"); // links to b
            r.replication().onHead(b);
            r.replication().onHead(c);
            assertThat(rec.size()).isEqualTo(2);
            assertThat(rec.call(0).head()).isEqualTo(b);
            assertThat(rec.call(1).frontier()).as("b's branch comes with the running fetch").contains(b);
            // c's fetch ends at b; b's fetch brings b and a; all merged, nothing fetched twice
            rec.call(1).sink().accept(src.replication().block(c).orElseThrow());
            rec.call(1).done().complete(null);
            rec.call(0).sink().accept(src.replication().block(b).orElseThrow());
            rec.call(0).sink().accept(src.replication().block(a).orElseThrow());
            rec.call(0).done().complete(null);
            r.replication().whenIdle().join();
            assertThat(r.heads()).extracting(Head::cid).containsExactly(c);
            assertThat(EngineTest.dump(r)).isEqualTo(EngineTest.dump(src));
            assertThat(rec.size()).as("no fetch repeated").isEqualTo(2);
        }
    }
}
