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
 * <p>Invariant of the mirror ({@code CrdtMirror}): every acknowledged write is in the CRDT, or its sequence number
 * is above the durable watermark {@code m/mirrored} (and its event record, which names its CRDT keys, is kept), or
 * its keys are in the durable outbox {@code o/}. So a crash, a CRDT failure or a detach loses no write on its way
 * into the CRDT, and every replay recomputes the values from the local database (idempotent).
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.stats;

import org.jspecify.annotations.NullMarked;
