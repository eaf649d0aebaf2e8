package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Fails a {@link BlockFetcher} fetch when every peer asked answered, and each said it does not hold
 * these of the asked heads (no timeout, no refusal, no broken stream). The engine then stops retrying
 * such a head if it only heard of it in an announcement (no block it holds or is fetching links to it):
 * a head announced by a peer that cannot serve it, say one made up by a hostile peer, would otherwise
 * stay in the walk frontier and be asked for at every rebroadcast. An announcement of it later brings
 * it back.
 */
public final class UnavailableBlocksException extends IllegalStateException {
    private final transient Set<Cid> cids;

    public UnavailableBlocksException(Set<Cid> cids, String message) {
        super(message);
        this.cids = Set.copyOf(cids);
    }

    /** The heads no asked peer holds. */
    public Set<Cid> cids() {
        return cids;
    }

    /** The unavailable heads a failed fetch reports ({@code err} or its cause), else none. */
    static Set<Cid> of(Throwable err) {
        Throwable t = err;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
        return t instanceof UnavailableBlocksException u ? u.cids : Set.of();
    }
}
