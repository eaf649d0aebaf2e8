package io.warpstats.stats;

/** An id (post, user, reply) that is not acceptable; the message says which rule it breaks. */
public final class InvalidIdException extends StatsException {
    public InvalidIdException(String message) {
        super(Problem.INVALID_ID, message);
    }
}
