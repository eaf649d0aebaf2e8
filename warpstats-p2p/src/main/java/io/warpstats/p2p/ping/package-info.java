/**
 * Ping ({@code /ipfs/ping/1.0.0}): {@link io.warpstats.p2p.ping.Ping}. Invariant: the listener
 * holds at most one read and one write per stream at a time.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.ping;

import org.jspecify.annotations.NullMarked;
