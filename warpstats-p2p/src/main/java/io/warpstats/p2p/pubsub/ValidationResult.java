package io.warpstats.p2p.pubsub;

/** The verdict of a {@link Validator}. */
public enum ValidationResult {
    /** Deliver locally and forward. */
    ACCEPT,
    /** Drop, do not forward, and penalize the peer that sent it (P4). */
    REJECT,
    /** Drop and do not forward, without penalty. */
    IGNORE
}
