/**
 * Protobuf wire format, by hand: {@link io.warpstats.p2p.proto.Proto}. Invariant: decoding is
 * total and bounded by the input (no allocation beyond it), errors are
 * {@link java.lang.IllegalArgumentException}.
 */
package io.warpstats.p2p.proto;
