/**
 * Protobuf wire format, by hand: {@link io.warpstats.p2p.proto.Proto}. Invariant: decoding is
 * total and bounded by the input (no allocation beyond it), errors are
 * {@link java.lang.IllegalArgumentException}.
 *
 * <p>Null is accepted or returned only where a type says {@code @Nullable} (the package is {@code @NullMarked}).
 */
@NullMarked
package io.warpstats.p2p.proto;

import org.jspecify.annotations.NullMarked;
