/**
 * Post statistics on the Merkle-CRDT, plus the local database of who did what.
 *
 * <p>Public API: {@link io.warpstats.stats.StatsService} (built by
 * {@link io.warpstats.stats.StatsService#builder()}), the values {@link io.warpstats.stats.Stat},
 * {@link io.warpstats.stats.PostStats}, {@link io.warpstats.stats.Page},
 * {@link io.warpstats.stats.LikedPost}, the key formats {@link io.warpstats.stats.SlotKey} and
 * {@link io.warpstats.stats.StatsKeys} (with the signed-delta write rule), id validation
 * {@link io.warpstats.stats.Ids} and the errors {@link io.warpstats.stats.StatsException}. Everything
 * else is package-private. Uses the CRDT through its public API only; knows nothing of the network.
 * The key layout is documented in {@code docs/architecture.md} ("Storage").
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.stats;

import org.jspecify.annotations.NullMarked;
