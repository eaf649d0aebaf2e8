/**
 * The ordered key/value store under the engine and the stats layer: {@link io.warpstats.crdt.store.KvStore}
 * and its implementations (RocksDB, the default; in-memory for tests), created through
 * {@link io.warpstats.crdt.store.KvStores}.
 *
 * <p>Invariants: keys are ordered by unsigned byte comparison; a {@link io.warpstats.crdt.store.KvStore.Batch}
 * is applied all-or-nothing, also across a crash; after {@code close} every operation throws
 * {@link java.lang.IllegalStateException} and never touches a freed native handle. The key
 * layout of the CRDT (prefixes under the namespace, default {@code /CRDT}) is documented in
 * docs/architecture.md ("Storage").
 */
package io.warpstats.crdt.store;
