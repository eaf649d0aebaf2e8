/**
 * The libp2p host API: {@link io.warpstats.p2p.Host}, {@link io.warpstats.p2p.Connection},
 * {@link io.warpstats.p2p.Stream}, {@link io.warpstats.p2p.ProtocolHandler}, the options and
 * gate, and the value types {@link io.warpstats.p2p.PeerId} and {@link io.warpstats.p2p.Multiaddr}.
 *
 * <p>Invariants: this package holds interfaces and immutable values only (no Netty types); the
 * implementation lives in {@code io.warpstats.p2p.host} and below and is reached through
 * {@code io.warpstats.p2p.host.Hosts}. Every callback and future of the API runs on a network
 * thread and must not block.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p;

import org.jspecify.annotations.NullMarked;
