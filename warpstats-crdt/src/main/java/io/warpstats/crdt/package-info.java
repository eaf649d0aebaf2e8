/**
 * The Merkle-CRDT engine: the API {@link io.warpstats.crdt.MerkleCrdt} (built with
 * {@link io.warpstats.crdt.MerkleCrdt#builder}), its {@link io.warpstats.crdt.MerkleCrdtOptions},
 * the wire records ({@link io.warpstats.crdt.Delta}, {@link io.warpstats.crdt.Element},
 * {@link io.warpstats.crdt.CrdtBroadcast}, {@link io.warpstats.crdt.Block}), and the interfaces
 * through which it reaches the network ({@link io.warpstats.crdt.Broadcaster},
 * {@link io.warpstats.crdt.BlockFetcher}), trust ({@link io.warpstats.crdt.DeltaSigner},
 * {@link io.warpstats.crdt.DeltaVerifier}, {@link io.warpstats.crdt.WriteAuthorizer}) and upper
 * layers ({@link io.warpstats.crdt.ChangeListener}). Knows nothing of the network.
 *
 * <p>Invariants: the wire records encode byte-exactly as go-ds-crdt (proto3, fields in number
 * order, defaults omitted) and parse hostile input into {@link java.lang.IllegalArgumentException};
 * a block is marked processed only in the atomic write that applies it. The engine is
 * package-private: {@code CrdtEngine} (local writes, stages and commits, fetches and walks, broadcast),
 * {@code DeltaMerge} (the OR-set merge of one delta), {@code StoredState} (what a replica reads back
 * when it opens, and the repair after an unclean close), {@code Txn}, {@code PendingWrites},
 * {@code ValueCache}, {@code FlushPacer}; the key layout is in {@code Keys} and docs/architecture.md.
 */
package io.warpstats.crdt;
