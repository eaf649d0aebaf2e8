/**
 * The host implementation on Netty: {@code NettyHost} (listen, dial, handlers, gate, events),
 * {@code Upgrader} (the pipeline TCP → multistream → Noise → multistream → Yamux, under the
 * handshake timeout), {@code HostConnection} (a {@link io.warpstats.p2p.Connection}: stream
 * negotiation, identify, idle timeout). Reached through {@link io.warpstats.p2p.host.Hosts}.
 * Invariants: the number of connections (upgrading or open) never exceeds
 * {@code HostOptions.maxConnections}; a connection is visible to the API only after its upgrade
 * and the gate's approval of the authenticated peer; every failure that ends a connection is
 * logged with its reason and ends only that connection.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.host;

import org.jspecify.annotations.NullMarked;
