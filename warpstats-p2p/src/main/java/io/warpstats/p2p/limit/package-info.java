/**
 * Rate limits: {@link io.warpstats.p2p.limit.Rate} (a sustained rate and a burst) and
 * {@link io.warpstats.p2p.limit.RateLimiter} (one token bucket per client, at most a bounded number
 * of clients remembered). Used by the sync server and the announcement validator of
 * {@code warpstats-replication} and by the HTTP API of {@code warpstats-node}.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.limit;

import org.jspecify.annotations.NullMarked;
