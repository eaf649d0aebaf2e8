/**
 * Identify ({@code /ipfs/id/1.0.0}, {@code /ipfs/id/push/1.0.0}): the message codec
 * {@link io.warpstats.p2p.identify.IdentifyMessage}; the host runs the protocol on every new
 * connection. Invariants: a message is bounded by {@code HostOptions.maxIdentifyMessage}; a public
 * key that does not match the connection's authenticated peer is rejected.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.identify;

import org.jspecify.annotations.NullMarked;
