/**
 * The Merkle-CRDT engine's public API: {@link io.warpstats.crdt.MerkleCrdt}, its options and
 * the interfaces through which it reaches the network ({@link io.warpstats.crdt.Broadcaster},
 * {@link io.warpstats.crdt.BlockFetcher}) and upper layers ({@link io.warpstats.crdt.ChangeListener}).
 * Knows nothing of the network.
 */
package io.warpstats.crdt;
