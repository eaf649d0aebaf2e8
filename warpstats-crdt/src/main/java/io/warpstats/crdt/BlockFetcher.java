package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Gets blocks the replica does not have from other replicas. Implementations verify every
 * block against its CID before handing it over.
 */
public interface BlockFetcher {
    /** Fetches one block's bytes; fails the future if no peer has it in time. */
    CompletableFuture<byte[]> fetch(Cid cid);

    /**
     * Fetches the branch under {@code head} down to (excluding) any block in {@code frontier}
     * or already held, calling {@code sink} for each verified block in dependency order (parents
     * before the blocks they link to). The default fetches only the head, leaving the walk to the
     * engine; a sync protocol overrides it to stream a whole branch in a few round trips.
     */
    default CompletableFuture<Void> fetchBranch(Cid head, Set<Cid> frontier, Consumer<byte[]> sink) {
        return fetch(head).thenAccept(sink);
    }

    /**
     * {@link #fetchBranch} for several heads at once (announcements that queued up while the
     * fetch slots were busy): a sync protocol asks for all of them in one request, so a backlog of
     * heads costs one round trip, not one per head. The default fetches each branch in turn.
     */
    default CompletableFuture<Void> fetchBranches(java.util.List<Cid> heads, Set<Cid> frontier, Consumer<byte[]> sink) {
        CompletableFuture<Void> f = CompletableFuture.completedFuture(null);
        for (Cid h : heads) f = f.thenCompose(v -> fetchBranch(h, frontier, sink));
        return f;
    }
}
