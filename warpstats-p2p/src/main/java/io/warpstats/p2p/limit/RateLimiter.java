package io.warpstats.p2p.limit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A {@link Rate} per client key: one {@link TokenBucket} each, created full on a client's first use.
 * Every client id seen is hostile input, so at most {@code maxClients} buckets are kept, the least
 * recently used dropped first; a dropped client starts again with a full bucket, so the bound must be
 * well above the number of clients active at once (a flood of fresh ids can only evict, never grow memory).
 * With {@link Rate#OFF} nothing is remembered and everything is allowed.
 *
 * <p>Thread-safe (one lock, O(1) per call).
 *
 * @param <K> the client key (a peer id, an address, a token hash); must have value equality
 */
public final class RateLimiter<K> {
    private final Rate rate;
    private final LongSupplier nanoClock;
    private final Map<K, TokenBucket> buckets;

    /**
     * @param rate       the rate of each client
     * @param maxClients the most clients remembered (≥ 1)
     * @param nanoClock  a monotonic clock in nanoseconds ({@code System::nanoTime}; tests pass a fake one)
     */
    public RateLimiter(Rate rate, int maxClients, LongSupplier nanoClock) {
        if (maxClients < 1) throw new IllegalArgumentException("maxClients must be positive");
        this.rate = Objects.requireNonNull(rate, "rate");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, TokenBucket> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** The rate of each client. */
    public Rate rate() {
        return rate;
    }

    /** {@link #acquire(Object, double)} of one token. */
    public long acquire(K client) {
        return acquire(client, 1);
    }

    /**
     * Takes {@code cost} tokens from {@code client}'s bucket. Returns 0 if they were there (allowed);
     * otherwise nothing is taken and the result is the nanoseconds until they will be (refused: a
     * retry-after hint, at least 1).
     */
    public long acquire(K client, double cost) {
        if (rate.off()) return 0;
        long now = nanoClock.getAsLong();
        synchronized (buckets) {
            return bucket(client, now).take(cost, now);
        }
    }

    /**
     * Charges {@code cost} to {@code client} after the fact (the bucket may go into debt). Returns 0 if the
     * client was not in debt; otherwise charges nothing and returns the nanoseconds until it is out of debt.
     */
    public long charge(K client, double cost) {
        if (rate.off()) return 0;
        long now = nanoClock.getAsLong();
        synchronized (buckets) {
            return bucket(client, now).charge(cost, now);
        }
    }

    /** Nanoseconds until {@code client} is out of debt (0: not in debt, or unknown); takes nothing. */
    public long debt(K client) {
        if (rate.off()) return 0;
        long now = nanoClock.getAsLong();
        synchronized (buckets) {
            TokenBucket b = buckets.get(client);
            return b == null ? 0 : b.debt(now);
        }
    }

    /** Tokens {@code client} has now (the burst if unknown; negative in debt). */
    public double tokens(K client) {
        if (rate.off()) return Double.POSITIVE_INFINITY;
        long now = nanoClock.getAsLong();
        synchronized (buckets) {
            TokenBucket b = buckets.get(client);
            return b == null ? rate.burst() : b.tokens(now);
        }
    }

    /** Clients remembered now (at most the bound). */
    public int size() {
        synchronized (buckets) {
            return buckets.size();
        }
    }

    private TokenBucket bucket(K client, long now) {
        TokenBucket b = buckets.get(client);
        if (b == null) {
            b = new TokenBucket(rate, now);
            buckets.put(client, b);
        }
        return b;
    }

    /** Whole seconds to wait for {@code nanos} (at least 1): the value of a {@code Retry-After} header. */
    public static long retryAfterSeconds(long nanos) {
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
