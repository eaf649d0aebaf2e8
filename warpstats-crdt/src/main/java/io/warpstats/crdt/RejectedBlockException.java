package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;

/**
 * Thrown by the block sink given to {@link BlockFetcher#fetchBranch} (and reported to the
 * rejection callback of the builder) when a block is malformed, badly signed or writes keys its
 * author may not write. The block is neither applied nor marked processed. A fetcher should
 * penalize the peer that sent it.
 */
public final class RejectedBlockException extends IllegalArgumentException {
    private final transient Cid cid;

    public RejectedBlockException(Cid cid, String reason) {
        super("block " + cid + " rejected: " + reason);
        this.cid = cid;
    }

    /** The rejected block's CID. */
    public Cid cid() {
        return cid;
    }
}
