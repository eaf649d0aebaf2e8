package io.warpstats.crdt;

import io.warpstats.multiformats.Cid;

/**
 * Thrown by the block sink given to {@link BlockFetcher#fetchBranch} (and reported to the
 * rejection callback of the builder) when a block is malformed, badly signed or writes keys its
 * author may not write. The block is neither applied nor marked processed. A fetcher should
 * penalize the peer that sent it.
 */
public final class RejectedBlockException extends IllegalArgumentException {
    /** Why a block was rejected. */
    public enum Reason {
        /** Not a decodable block, or a delta of an impossible shape (NUL in a name, a tombstone without id). */
        MALFORMED,
        /** Unsigned where signatures are required, or signed with no verifier. */
        UNSIGNED,
        /** A signature that does not verify. */
        BAD_SIGNATURE,
        /** A correctly signed write of a key its author may not write. */
        UNAUTHORIZED;

        /** The reason of a shape check's message: an unsigned delta where signatures are required is UNSIGNED, the rest MALFORMED. */
        static Reason ofShapeCheck(String message) {
            String m = message == null ? "" : message;
            return m.contains("unsigned") || m.contains("no verifier") ? UNSIGNED : MALFORMED;
        }

        /** The reason of a check's message (the checks say "may not", "unsigned", "no verifier"; else the signature failed). */
        static Reason ofAuthorCheck(String message) {
            String m = message == null ? "" : message;
            if (m.contains(" may not ")) return UNAUTHORIZED;
            if (m.contains("unsigned") || m.contains("no verifier")) return UNSIGNED;
            return BAD_SIGNATURE;
        }
    }

    private final transient Cid cid;
    private final Reason reason;

    public RejectedBlockException(Cid cid, Reason reason, String detail) {
        super("block " + cid + " rejected: " + detail);
        this.cid = cid;
        this.reason = reason;
    }

    /** Why. */
    public Reason reason() {
        return reason;
    }

    /** The rejected block's CID. */
    public Cid cid() {
        return cid;
    }
}
