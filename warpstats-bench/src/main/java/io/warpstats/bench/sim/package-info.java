/**
 * The scale simulation (issue 16): N nodes, each with the production gossipsub router
 * ({@link io.warpstats.p2p.pubsub.SimulatedRouter}) and one production Merkle-CRDT engine per followed
 * shard over an in-memory store, on a simulated network with a virtual clock. It measures messages and
 * bytes received per put per node, the time to converge after the last put and the stored bytes per node,
 * for 1 and 16 shards. Method and figures: {@code docs/benchmarks.md}, "Scale simulation".
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.bench.sim;

import org.jspecify.annotations.NullMarked;
