package io.warpstats.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.warpstats.crdt.store.KvStore;
import io.warpstats.crdt.store.KvStores;
import io.warpstats.multiformats.Cid;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Two replicas for reap tests: an author that checkpoints only when told, and a reader that fetches from it. */
final class CompactionPair {
    private CompactionPair() {}

    /** An in-memory author whose checkpoints come only from {@link MerkleCrdt#compact()}; flushes at once. */
    static MerkleCrdt author() {
        return MerkleCrdt.builder(KvStores.inMemory()).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO)
                .compaction(new CompactionOptions(Duration.ofHours(1), Long.MAX_VALUE)).build();
    }

    /** A reader on {@code store} that fetches every block straight from {@code author}. */
    static MerkleCrdt readerOf(KvStore store, MerkleCrdt author) {
        return readerOf(store, author, CompactionOptions.defaults());
    }

    /** A reader on {@code store} with these compaction settings that fetches every block straight from {@code author}. */
    static MerkleCrdt readerOf(KvStore store, MerkleCrdt author, CompactionOptions compaction) {
        return MerkleCrdt.builder(store).flushDelay(Duration.ZERO).rebroadcastInterval(Duration.ZERO).compaction(compaction)
                .fetcher(fetcherOf(author)).build();
    }

    /** Fetches every block straight from {@code author}'s store. */
    static BlockFetcher fetcherOf(MerkleCrdt author) {
        return cid -> author.replication().block(cid).map(CompletableFuture::completedFuture)
                .orElseGet(() -> CompletableFuture.failedFuture(new IllegalStateException("not held: " + cid)));
    }

    /**
     * The author writes a checkpoint; the reader is told its head and this returns as soon as the reader holds it:
     * the reap it starts there has only begun.
     */
    static void checkpointAndAwaitHeld(MerkleCrdt reader, MerkleCrdt author) {
        author.compact().join();
        Cid checkpoint = author.replication().heads().get(0).cid();
        reader.replication().onHead(checkpoint);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!reader.replication().hasBlock(checkpoint) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(200_000); // a bounded poll: the caller acts as soon as the reap starts
        }
        assertThat(reader.replication().hasBlock(checkpoint)).as("the checkpoint merged").isTrue();
    }

    /** Tells {@code reader} the author's heads and waits until it merged what they lead to. */
    static void follow(MerkleCrdt reader, MerkleCrdt author) {
        for (Head h : author.replication().heads()) reader.replication().onHead(h.cid());
        reader.replication().whenIdle().join();
    }
}
