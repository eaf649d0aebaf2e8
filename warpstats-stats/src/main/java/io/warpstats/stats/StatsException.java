package io.warpstats.stats;

import java.util.Objects;

/**
 * An operation that cannot be done, with a message a person understands and a {@link Problem}
 * that says which kind (the HTTP layer maps it to a status).
 */
public class StatsException extends RuntimeException {

    /** The kinds of failure. */
    public enum Problem {
        /** A post, user or reply id is malformed. */
        INVALID_ID,
        /** A pagination cursor or limit is malformed. */
        INVALID_ARGUMENT,
        /** The action was already done (a second like or retweet, a reply id used twice). */
        ALREADY_DONE,
        /** The action to undo was never done (unlike without a like, unknown reply). */
        NOT_DONE,
        /** Nothing is known of the post. */
        UNKNOWN_POST,
        /** The local database failed; nothing was recorded. */
        STORAGE,
        /** Too many writes are waiting for the local database; nothing was recorded, try again shortly. */
        BUSY
    }

    private final Problem problem;

    public StatsException(Problem problem, String message) {
        super(message);
        this.problem = Objects.requireNonNull(problem);
    }

    public StatsException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = Objects.requireNonNull(problem);
    }

    public Problem problem() {
        return problem;
    }
}
