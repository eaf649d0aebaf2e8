/**
 * Reads of posts this node does not hold: the request/response protocol {@value
 * io.warpstats.node.remote.StatsReadCodec#PROTOCOL} that asks a node following a post's shard for the post's
 * totals, its server side, and the bounded cache of hot remote answers ({@link io.warpstats.node.remote.RemoteReads}).
 *
 * <p>Invariants: an answer is used only if it comes from a node that follows the shard, counts from its
 * replicated state (not its local database alone) and was asked with the same shard count; every frame is
 * bounded, every request has a deadline, a malformed frame penalizes its sender; the cache is bounded in
 * entries and time, and keeps no answer that failed.
 */
@NullMarked
package io.warpstats.node.remote;

import org.jspecify.annotations.NullMarked;
