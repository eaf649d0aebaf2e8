/**
 * IPLD and multiformats primitives: unsigned varints, multibase (base32, base58btc),
 * multihash (sha2-256, identity), CIDs (v0, v1) and the dag-pb codec.
 *
 * <p>Invariants: every decoder here takes hostile bytes; it either returns a fully validated
 * immutable value or throws {@link java.lang.IllegalArgumentException}. Encoders produce the
 * canonical form, so that encode(decode(x)) == x for every canonical x (the shared vectors).
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.multiformats;

import org.jspecify.annotations.NullMarked;
