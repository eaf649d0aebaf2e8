package io.warpstats.p2p.limit;

/**
 * One token bucket on a monotonic nanosecond clock. Not thread-safe (its {@link RateLimiter} locks).
 * Refill is computed lazily from the elapsed time, so an idle bucket costs nothing.
 */
final class TokenBucket {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    TokenBucket(Rate rate, long now) {
        this.perNano = rate.perSecond() / 1e9;
        this.burst = rate.burst();
        this.tokens = burst;
        this.last = now;
    }

    private void refill(long now) {
        long elapsed = now - last;
        if (elapsed > 0) { // a clock that steps back (it must not, but) adds nothing
            tokens = Math.min(burst, tokens + elapsed * perNano);
            last = now;
        }
    }

    /**
     * Takes {@code cost} tokens if that many are there: returns 0; otherwise takes nothing and returns the
     * nanoseconds until they will be (at least 1; a cost above the burst can never be paid at once and
     * waits as if the bucket had to fill up to it).
     */
    long take(double cost, long now) {
        refill(now);
        if (tokens >= cost) {
            tokens -= cost;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((cost - tokens) / perNano));
    }

    /**
     * Takes {@code cost} tokens even beyond what is there (the bucket goes into debt), for costs known only
     * after the work is done (bytes answered). Returns 0 if the bucket was not in debt before; otherwise takes
     * nothing and returns the nanoseconds until it is out of debt.
     */
    long charge(double cost, long now) {
        refill(now);
        if (tokens < 0) return Math.max(1, (long) Math.ceil(-tokens / perNano));
        tokens -= cost;
        return 0;
    }

    /** Nanoseconds until the bucket is out of debt (0 if it is not in debt); takes nothing. */
    long debt(long now) {
        refill(now);
        return tokens < 0 ? Math.max(1, (long) Math.ceil(-tokens / perNano)) : 0;
    }

    double tokens(long now) {
        refill(now);
        return tokens;
    }
}
