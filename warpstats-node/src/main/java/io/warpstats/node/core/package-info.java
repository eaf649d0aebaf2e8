/**
 * The node daemon's core: {@link io.warpstats.node.core.Node} owns the libp2p host, gossipsub, block
 * sync, the Merkle-CRDT engine on RocksDB, the statistics service and (optionally) the HTTP
 * API, and keeps the node connected (bootstrap, reconnection with bounded jittered backoff, peer
 * exchange). Configured by {@link io.warpstats.node.core.NodeConfig}; see {@code docs/node.md}.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.node.core;

import org.jspecify.annotations.NullMarked;
