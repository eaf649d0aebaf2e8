package io.warpstats.crdt;

/**
 * Decides whether an author may write (add or tombstone) a key; supplied by the stats layer,
 * which knows the key layout: a counter slot {@code /incr/{stat}/{post}/{nodeId}/…} is writable
 * only by {@code nodeId}. Asked for every element and tombstone of every received block, before
 * anything is applied; one refusal rejects the whole block.
 */
@FunctionalInterface
public interface WriteAuthorizer {
    /**
     * @param author the verified printable author id, or {@code null} for an unsigned delta
     *               (accepted only when the options allow unsigned deltas)
     * @param key    the element key, without the store namespace
     */
    boolean mayWrite(String author, String key);

    /** Allows everything (the go-ds-crdt behaviour). */
    static WriteAuthorizer allowAll() {
        return (author, key) -> true;
    }
}
